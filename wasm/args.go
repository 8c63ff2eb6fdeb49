//go:build js && wasm

package main

import (
	"fmt"
	"math"

	"github.com/hack-pad/safejs"
)

type generateReq struct {
	key      string
	digit    int
	steps    int
	guidance float64
	seed     uint64
	onStep   safejs.Value
	ddpm     bool // ancestral DDPM over all 1000 steps instead of DDIM
}

// parseGenerate validates qdiffGenerate(key, digit, steps, guidance, seed, onStep, sampler).
func parseGenerate(args []safejs.Value) (generateReq, error) {
	var r generateReq
	if len(args) < 5 {
		return r, fmt.Errorf("qdiffGenerate(key, digit, steps, guidance, seed, onStep, sampler) takes 5 to 7 arguments, got %d", len(args))
	}
	var err error
	if r.key, err = args[0].String(); err != nil {
		return r, fmt.Errorf("key: %w", err)
	}
	nums := make([]float64, 4)
	for i := range nums {
		if nums[i], err = args[1+i].Float(); err != nil {
			return r, fmt.Errorf("argument %d: %w", i+2, err)
		}
		if math.IsNaN(nums[i]) || math.IsInf(nums[i], 0) {
			return r, fmt.Errorf("argument %d is not a number", i+2)
		}
	}
	r.digit, r.steps, r.guidance = int(nums[0]), int(nums[1]), nums[2]
	switch {
	case nums[0] != math.Trunc(nums[0]) || r.digit < -1 || r.digit > 9:
		return r, fmt.Errorf("digit %v: want -1 (random) or 0..9", nums[0])
	case nums[1] != math.Trunc(nums[1]) || r.steps < 1 || r.steps > 1000:
		return r, fmt.Errorf("steps %v: want 1..1000", nums[1])
	case r.guidance < 0 || r.guidance > 50:
		return r, fmt.Errorf("guidance %v: want 0..50", r.guidance)
	case nums[3] < 0 || nums[3] > 1<<53 || nums[3] != math.Trunc(nums[3]):
		return r, fmt.Errorf("seed %v: want an integer 0..2^53", nums[3])
	}
	r.seed = uint64(nums[3])
	if len(args) > 5 {
		r.onStep = args[5]
	} else {
		r.onStep = safejs.Undefined()
	}
	if len(args) > 6 {
		s, err := args[6].String()
		if err != nil || (s != "ddim" && s != "ddpm") {
			return r, fmt.Errorf("sampler: want \"ddim\" or \"ddpm\"")
		}
		r.ddpm = s == "ddpm"
	}
	return r, nil
}
