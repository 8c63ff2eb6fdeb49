// Command guest is the kernels' side of the wazero harness, built for
// GOOS=wasip1 (with or without GOEXPERIMENT=simd). It reads one request a
// line on stdin and answers on stdout:
//
//	run OP SEED D...      -> uint32 n, then n little-endian float64: the
//	                         fastest variant's output for the case's inputs
//	bench OP REPS D...    -> "ns" line: nanoseconds for REPS runs
//	variants              -> one "op target" line per SIMD variant, then "end"
//
// The inputs of a case are generated from its seed by kernels.CaseRNG, so
// the native side can run the reference on the very same inputs.
package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/qdiff/qdiff/kernels"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<16), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		if err := serve(strings.Fields(in.Text()), out); err != nil {
			out.Flush()
			fmt.Fprintln(os.Stderr, "guest:", err)
			os.Exit(1)
		}
	}
}

func serve(f []string, out *bufio.Writer) error {
	if len(f) == 0 {
		return nil
	}
	switch f[0] {
	case "variants":
		for _, v := range kernels.Variants() {
			fmt.Fprintf(out, "%s %s\n", v.Op, v.Target)
		}
		fmt.Fprintln(out, "end")
		return out.Flush()
	case "run", "bench":
		if len(f) < 3 {
			return fmt.Errorf("request %q: want %s OP N DIMS...", strings.Join(f, " "), f[0])
		}
		op, ok := kernels.Lookup(f[1])
		if !ok {
			return fmt.Errorf("unknown op %q", f[1])
		}
		n, err := strconv.ParseUint(f[2], 10, 64)
		if err != nil {
			return err
		}
		dims := make([]int, len(f)-3)
		for i, s := range f[3:] {
			if dims[i], err = strconv.Atoi(s); err != nil {
				return err
			}
		}
		if len(dims) != len(op.Dims) {
			return fmt.Errorf("%s takes %d dims, got %d", op.Name, len(op.Dims), len(dims))
		}
		if f[0] == "run" {
			res := op.Gen(kernels.CaseRNG(n), dims).Result(true)
			var b [8]byte
			binary.LittleEndian.PutUint32(b[:4], uint32(len(res)))
			out.Write(b[:4])
			for _, v := range res {
				binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
				out.Write(b[:])
			}
			return out.Flush()
		}
		c := op.Gen(kernels.CaseRNG(1), dims)
		c.Run(true)
		t0 := time.Now()
		for range n {
			c.Run(true)
		}
		fmt.Fprintln(out, time.Since(t0).Nanoseconds())
		return out.Flush()
	}
	return fmt.Errorf("unknown request %q", f[0])
}
