package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// readLossCSV reads "step,loss" lines, keeping the last loss of each step
// (a resumed run may repeat steps) in step order.
func readLossCSV(path string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	byStep := map[int]float64{}
	maxStep := 0
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		a, b, ok := strings.Cut(strings.TrimSpace(sc.Text()), ",")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want step,loss", path, line)
		}
		s, err1 := strconv.Atoi(a)
		l, err2 := strconv.ParseFloat(b, 64)
		if err1 != nil || err2 != nil || s < 0 {
			return nil, fmt.Errorf("%s:%d: bad step or loss %q", path, line, sc.Text())
		}
		byStep[s] = l
		maxStep = max(maxStep, s)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var ys []float64
	for s := 0; s <= maxStep; s++ {
		if v, ok := byStep[s]; ok {
			ys = append(ys, v)
		}
	}
	return ys, nil
}
