package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/qdiff/qdiff/models/bnet"
	"github.com/qdiff/qdiff/models/classifier"
	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/sidial"
)

func init() {
	register("dialog", "SI-Dial on occluded digits: fit the question dialog for the FP and binary classifiers; accuracy table by rounds", dialog)
}

// dialogClassifier gives class probabilities for 28x28 images.
type dialogClassifier struct {
	name  string
	file  string
	probs func(imgs [][]uint8) ([][]float64, error)
}

func dialog(args []string) error {
	fs := flag.NewFlagSet("dialog", flag.ContinueOnError)
	fpPath := fs.String("fp", "models/zoo/classifier.fp32.safetensors", "FP classifier")
	bnPath := fs.String("bnet", "models/zoo/bnet.safetensors", "binary classifier")
	ntrain := fs.Int("train", 10000, "training digits the dialog is fitted on")
	ntest := fs.Int("test", 2000, "test digits per missingness level")
	out := fs.String("o", "models/zoo/dialog.table.md", "markdown table written here")
	zoo := fs.String("zoo", "models/zoo", "fitted dialog models are written here as dialog-<classifier>.safetensors")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *ntrain < 10 || *ntest < 1 {
		return fmt.Errorf("-train must be at least 10 and -test positive")
	}
	train, test, err := mnistSplits()
	if err != nil {
		return err
	}
	fp, err := classifier.LoadClassifier(*fpPath)
	if err != nil {
		return err
	}
	bb, err := os.ReadFile(*bnPath)
	if err != nil {
		return err
	}
	bk, err := bnet.Decode(bb)
	if err != nil {
		return err
	}
	classifiers := []dialogClassifier{
		{"FP", "fp", func(imgs [][]uint8) ([][]float64, error) { return fpProbs(fp, imgs) }},
		{"binary", "bnet", func(imgs [][]uint8) ([][]float64, error) {
			var ps [][]float64
			for _, im := range imgs {
				_, p, err := bk.Predict(im)
				if err != nil {
					return nil, err
				}
				ps = append(ps, p)
			}
			return ps, nil
		}},
	}
	rounds := []int{0, 1, 3, 5}
	var md strings.Builder
	fmt.Fprintf(&md, "SI-Dial on occluded MNIST: test accuracy %% on the first %d test digits per level (hidden pixels set to background; masks seeded by image index), after 0, 1, 3 and 5 yes/no question rounds answered by the oracle from the full digit. \"alone\" is the classifier on the occluded image only; \"chosen\" asks the question with the largest expected entropy drop, \"random\" a random unasked one (seed 1). Dialogs fitted on the first %d training digits (random levels).\n\n", *ntest, *ntrain)
	for _, cl := range classifiers {
		t0 := time.Now()
		// fit on training digits with random missingness
		r := rand.New(rand.NewPCG(7, 7))
		imgs := make([][]uint8, *ntrain)
		hidden := make([]float64, *ntrain)
		var samples []sidial.Sample
		for i := range imgs {
			lv := sidial.Levels[r.IntN(len(sidial.Levels))]
			hidden[i] = lv.Hidden
			m, err := lv.Mask(uint64(1_000_000 + i))
			if err != nil {
				return err
			}
			imgs[i] = sidial.Occlude(train.Image(i), m)
		}
		ps, err := cl.probs(imgs)
		if err != nil {
			return err
		}
		for i, p := range ps {
			samples = append(samples, sidial.Sample{Probs: p, Hidden: hidden[i], Label: int(train.Labels[i]), Answers: sidial.Oracle(train.Image(i))})
		}
		dm, err := sidial.Fit(samples, 5, 1)
		if err != nil {
			return err
		}
		b, err := dm.Encode(map[string]string{"classifier": cl.file, "train_digits": fmt.Sprint(*ntrain)})
		if err != nil {
			return err
		}
		path := fmt.Sprintf("%s/dialog-%s.safetensors", *zoo, cl.file)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: fitted alpha exp(%.3f%+.3fh) beta exp(%.3f%+.3fh) in %s, wrote %s\n", cl.name, dm.Alpha[0], dm.Alpha[1], dm.Beta[0], dm.Beta[1], time.Since(t0).Round(time.Millisecond), path)

		fmt.Fprintf(&md, "**%s classifier** (dialog weights with h the hidden fraction: alpha exp(%.2f%+.2fh), beta exp(%.2f%+.2fh))\n\n| level | alone |", cl.name, dm.Alpha[0], dm.Alpha[1], dm.Beta[0], dm.Beta[1])
		for _, k := range rounds {
			fmt.Fprintf(&md, " chosen %d |", k)
		}
		for _, k := range rounds[1:] {
			fmt.Fprintf(&md, " random %d |", k)
		}
		md.WriteString("\n|---|---|" + strings.Repeat("---|", 2*len(rounds)-1) + "\n")
		for _, lv := range sidial.Levels {
			n := min(*ntest, test.N)
			occ := make([][]uint8, n)
			for i := range occ {
				m, err := lv.Mask(uint64(i))
				if err != nil {
					return err
				}
				occ[i] = sidial.Occlude(test.Image(i), m)
			}
			ps, err := cl.probs(occ)
			if err != nil {
				return err
			}
			alone, chosen, random := 0, make([]int, len(rounds)), make([]int, len(rounds))
			rr := rand.New(rand.NewPCG(1, 1))
			for i, p := range ps {
				label := int(test.Labels[i])
				if nn.Argmax(p) == label {
					alone++
				}
				oracle := sidial.Oracle(test.Image(i))
				for pick, hits := range [][]int{chosen, random} {
					ans := make([]int8, len(sidial.Questions))
					asked := 0
					for ri, k := range rounds {
						for ; asked < k; asked++ {
							var q int
							if pick == 0 {
								if q, err = dm.Next(p, lv.Hidden, ans); err != nil {
									return err
								}
							} else {
								q = randomUnasked(rr, ans)
							}
							if q < 0 {
								break
							}
							ans[q] = oracle[q]
						}
						post, err := dm.Posterior(p, lv.Hidden, ans)
						if err != nil {
							return err
						}
						if nn.Argmax(post) == label {
							hits[ri]++
						}
					}
				}
			}
			pct := func(v int) string { return fmt.Sprintf("%.1f", 100*float64(v)/float64(n)) }
			fmt.Fprintf(&md, "| %s | %s |", lv.Name, pct(alone))
			for _, v := range chosen {
				md.WriteString(" " + pct(v) + " |")
			}
			for _, v := range random[1:] {
				md.WriteString(" " + pct(v) + " |")
			}
			md.WriteString("\n")
		}
		md.WriteString("\n")
	}
	fmt.Print(md.String())
	return os.WriteFile(*out, []byte(md.String()), 0o644)
}

func randomUnasked(r *rand.Rand, ans []int8) int {
	var free []int
	for q, a := range ans {
		if a == 0 {
			free = append(free, q)
		}
	}
	if len(free) == 0 {
		return -1
	}
	return free[r.IntN(len(free))]
}

// fpProbs runs the FP classifier on 28x28 images in batches.
func fpProbs(c *classifier.Classifier, imgs [][]uint8) ([][]float64, error) {
	var out [][]float64
	for i0 := 0; i0 < len(imgs); i0 += 250 {
		i1 := min(len(imgs), i0+250)
		d := &mnist.Dataset{N: i1 - i0, Rows: 28, Cols: 28, Labels: make([]uint8, i1-i0)}
		idx := make([]int, 0, i1-i0)
		for j := i0; j < i1; j++ {
			d.Pixels = append(d.Pixels, imgs[j]...)
			idx = append(idx, j-i0)
		}
		lg, err := c.Forward(classifier.ImagesToT(d, idx, nil))
		if err != nil {
			return nil, err
		}
		for b := range idx {
			row := lg.D[b*10 : (b+1)*10]
			mx := math.Inf(-1)
			for _, v := range row {
				mx = math.Max(mx, float64(v))
			}
			p := make([]float64, 10)
			var s float64
			for k, v := range row {
				p[k] = math.Exp(float64(v) - mx)
				s += p[k]
			}
			for k := range p {
				p[k] /= s
			}
			out = append(out, p)
		}
	}
	return out, nil
}
