package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/qdiff/qdiff/models/bnn"
	"github.com/qdiff/qdiff/models/classifier"
	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/nn"
)

func init() {
	register("binary-table", "train every binary variant (baseline, LCR, CMIM, LONDON, all) over seeds; accuracy and robustness tables", binaryTable)
}

// binaryRun is one trained variant, one line of the resumable results file.
type binaryRun struct {
	Method  string             `json:"method"`
	Seed    uint64             `json:"seed"`
	Acc     float64            `json:"acc"`
	Robust  map[string]float64 `json:"robust"` // "noise/2" -> accuracy
	Seconds float64            `json:"seconds"`
}

// binaryVariants are the table's rows: method weights on the baseline.
var binaryVariants = []struct {
	name              string
	lcr, cmim, london float64
}{
	{"baseline", 0, 0, 0},
	{"lcr", 0.1, 0, 0},
	{"cmim", 0, 0.1, 0},
	{"london", 0, 0, 0.5},
	{"lcr+cmim+london", 0.1, 0.1, 0.5},
}

func binaryTable(args []string) error {
	cfg := bnn.BinaryTrain{Epochs: 3, Batch: 64, LR: 2e-3}
	var teacher, results, out, best string
	var seeds, robustN int
	fs := flag.NewFlagSet("binary-table", flag.ContinueOnError)
	binaryFlags(fs, &cfg, &teacher)
	fs.IntVar(&seeds, "seeds", 3, "seeds per variant")
	fs.IntVar(&robustN, "robust-n", 2000, "test images per corrupted set")
	fs.StringVar(&results, "results", "models/zoo/bnet.runs.jsonl", "results file, one run per line; runs already there are skipped (resume)")
	fs.StringVar(&out, "o", "models/zoo/bnet.table.md", "markdown tables written here")
	fs.StringVar(&best, "best", "models/zoo/bnet.safetensors", "the most accurate run's network is exported here")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkBinaryCfg(cfg); err != nil {
		return err
	}
	if seeds < 1 || robustN < 1 {
		return fmt.Errorf("-seeds and -robust-n must be positive")
	}
	train, test, err := mnistSplits()
	if err != nil {
		return err
	}
	tc, err := classifier.LoadClassifier(teacher)
	if err != nil {
		return err
	}
	sets, err := robustSets(test, robustN)
	if err != nil {
		return err
	}
	done, err := readRuns(results)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bestAcc := -1.0
	for _, r := range done {
		bestAcc = math.Max(bestAcc, r.Acc)
	}
	total, i := len(binaryVariants)*seeds, 0
	start := time.Now()
	for _, v := range binaryVariants {
		for s := 1; s <= seeds; s++ {
			i++
			key := fmt.Sprintf("%s/%d", v.name, s)
			if _, ok := done[key]; ok {
				continue
			}
			c := cfg
			c.Seed, c.LCR, c.CMIM, c.LONDON, c.Teacher = uint64(s), v.lcr, v.cmim, v.london, tc
			fmt.Printf("== run %d/%d: %s seed %d (elapsed %s)\n", i, total, v.name, s, time.Since(start).Round(time.Second))
			t0 := time.Now()
			n := bnn.NewBinaryNet(c.Seed)
			acc, err := bnn.TrainBinary(ctx, n, c, train, test, os.Stdout)
			if err != nil {
				return err
			}
			run := binaryRun{Method: v.name, Seed: c.Seed, Acc: acc, Robust: map[string]float64{}, Seconds: time.Since(t0).Seconds()}
			bk, err := n.Export()
			if err != nil {
				return err
			}
			for _, set := range sets {
				if run.Robust[set.name], err = bnn.BinaryAccuracy(bk, set.d); err != nil {
					return err
				}
			}
			if err := appendRun(results, run); err != nil {
				return err
			}
			done[key] = run
			fmt.Printf("%s seed %d: %.2f%% in %s\n", v.name, s, 100*acc, time.Duration(run.Seconds*float64(time.Second)).Round(time.Second))
			if acc > bestAcc {
				bestAcc = acc
				if err := writeBinary(n, c, acc, best); err != nil {
					return err
				}
			}
		}
	}
	fpRobust := map[string]float64{}
	for _, set := range sets {
		if fpRobust[set.name], err = classifierAccuracy(tc, set.d); err != nil {
			return err
		}
	}
	md := binaryMarkdown(done, seeds, sets, fpRobust, cfg)
	fmt.Print(md)
	return os.WriteFile(out, []byte(md), 0o644)
}

type robustSet struct {
	name string
	d    *mnist.Dataset
}

// robustSets is the clean test subset and every corruption at 3 severities.
func robustSets(test *mnist.Dataset, n int) ([]robustSet, error) {
	n = min(n, test.N)
	sub := &mnist.Dataset{N: n, Rows: 28, Cols: 28, Pixels: test.Pixels[:n*784], Labels: test.Labels[:n]}
	sets := []robustSet{{"clean", sub}}
	for _, c := range mnist.Corruptions {
		for sev := 1; sev <= 3; sev++ {
			d, err := mnist.Corrupt(sub, c, sev, 1)
			if err != nil {
				return nil, err
			}
			sets = append(sets, robustSet{fmt.Sprintf("%s/%d", c, sev), d})
		}
	}
	return sets, nil
}

func classifierAccuracy(c *classifier.Classifier, d *mnist.Dataset) (float64, error) {
	right := 0
	for i0 := 0; i0 < d.N; i0 += 250 {
		idx := make([]int, 0, 250)
		for j := i0; j < min(d.N, i0+250); j++ {
			idx = append(idx, j)
		}
		lg, err := c.Forward(classifier.ImagesToT(d, idx, nil))
		if err != nil {
			return 0, err
		}
		for b, j := range idx {
			if nn.Argmax(lg.D[b*10:(b+1)*10]) == int(d.Labels[j]) {
				right++
			}
		}
	}
	return float64(right) / float64(d.N), nil
}

func readRuns(path string) (map[string]binaryRun, error) {
	runs := map[string]binaryRun{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return runs, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		var r binaryRun
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		runs[fmt.Sprintf("%s/%d", r.Method, r.Seed)] = r
	}
	return runs, sc.Err()
}

func appendRun(path string, r binaryRun) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func meanStd(v []float64) (float64, float64) {
	var s, ss float64
	for _, x := range v {
		s += x
	}
	m := s / float64(len(v))
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	if len(v) < 2 {
		return m, 0
	}
	return m, math.Sqrt(ss / float64(len(v)-1))
}

// binaryMarkdown renders the accuracy table and the robustness table.
func binaryMarkdown(runs map[string]binaryRun, seeds int, sets []robustSet, fp map[string]float64, cfg bnn.BinaryTrain) string {
	var b strings.Builder
	imgs := "all 60,000"
	if cfg.Limit > 0 {
		imgs = fmt.Sprintf("the first %d", cfg.Limit)
	}
	fmt.Fprintf(&b, "Binary MNIST variants: %d epochs on %s training images, batch %d, peak lr %g; MNIST test accuracy (10,000 images) through the XNOR kernels, mean ± sample std over seeds 1..%d.\n\n", cfg.Epochs, imgs, cfg.Batch, cfg.LR, seeds)
	b.WriteString("| variant | seeds | test accuracy % | train time / run |\n|---|---|---|---|\n")
	per := func(name string) []binaryRun {
		var rs []binaryRun
		for s := 1; s <= seeds; s++ {
			if r, ok := runs[fmt.Sprintf("%s/%d", name, s)]; ok {
				rs = append(rs, r)
			}
		}
		return rs
	}
	for _, v := range binaryVariants {
		rs := per(v.name)
		if len(rs) == 0 {
			continue
		}
		var acc, sec []float64
		for _, r := range rs {
			acc = append(acc, 100*r.Acc)
			sec = append(sec, r.Seconds)
		}
		m, sd := meanStd(acc)
		ms, _ := meanStd(sec)
		fmt.Fprintf(&b, "| %s | %d | %.2f ± %.2f | %s |\n", v.name, len(rs), m, sd, time.Duration(ms*float64(time.Second)).Round(time.Second))
	}
	fmt.Fprintf(&b, "\nRobustness: accuracy %% on the first %d test images, clean and corrupted (`mnist.Corrupt`, seed 1), severities 1/2/3, mean over seeds; FP is the float classifier (the teacher).\n\n", sets[0].d.N)
	b.WriteString("| set |")
	for _, v := range binaryVariants {
		b.WriteString(" " + v.name + " |")
	}
	b.WriteString(" FP |\n|---|")
	for range binaryVariants {
		b.WriteString("---|")
	}
	b.WriteString("---|\n")
	for _, s := range sets {
		b.WriteString("| " + s.name + " |")
		for _, v := range binaryVariants {
			var acc []float64
			for _, r := range per(v.name) {
				acc = append(acc, 100*r.Robust[s.name])
			}
			if len(acc) == 0 {
				b.WriteString(" — |")
				continue
			}
			m, _ := meanStd(acc)
			fmt.Fprintf(&b, " %.1f |", m)
		}
		fmt.Fprintf(&b, " %.1f |\n", 100*fp[s.name])
	}
	return b.String()
}
