package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/qdiff/qdiff/models/bnet"
	"github.com/qdiff/qdiff/models/bnn"
)

func init() {
	register("robust", "accuracy of an exported binary network on the corrupted MNIST test sets (binary-table's robustness column)", robust)
}

func robust(args []string) error {
	fs := flag.NewFlagSet("robust", flag.ContinueOnError)
	model := fs.String("model", "models/zoo/bnet.safetensors", "exported binary network")
	n := fs.Int("robust-n", 1000, "test images per corrupted set")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n < 1 {
		return fmt.Errorf("-robust-n must be positive")
	}
	b, err := os.ReadFile(*model)
	if err != nil {
		return err
	}
	bk, err := bnet.Decode(b)
	if err != nil {
		return fmt.Errorf("%s: %w", *model, err)
	}
	_, test, err := mnistSplits()
	if err != nil {
		return err
	}
	sets, err := robustSets(test, *n)
	if err != nil {
		return err
	}
	fmt.Printf("%s through the XNOR kernels, first %d test images, corruptions seed 1\n\n| set | accuracy %% |\n|---|---|\n", *model, sets[0].d.N)
	for _, s := range sets {
		acc, err := bnn.BinaryAccuracy(bk, s.d)
		if err != nil {
			return err
		}
		fmt.Printf("| %s | %.1f |\n", s.name, 100*acc)
	}
	return nil
}
