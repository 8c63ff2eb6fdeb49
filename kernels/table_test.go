package kernels

import (
	"fmt"
	"testing"
)

// randomCases is the number of random cases per op per run.
const randomCases = 1000

func runCase(t *testing.T, o *Op, seed uint64, d []int) {
	t.Helper()
	c := o.Gen(CaseRNG(seed), d)
	want, got := c.Result(false), c.Result(true)
	if i := Compare(got, want, o.Tol); i >= 0 {
		g, w := "missing", "missing"
		if i < len(got) {
			g = fmt.Sprint(got[i])
		}
		if i < len(want) {
			w = fmt.Sprint(want[i])
		}
		t.Fatalf("%s seed=%d dims=%v: element %d: fast %s, reference %s", o.Name, seed, d, i, g, w)
	}
}

func TestTable_Sweep(t *testing.T) {
	for i := range Table {
		o := &Table[i]
		t.Run(o.Name, func(t *testing.T) {
			for si, d := range o.Sweep() {
				runCase(t, o, uint64(si), d)
			}
		})
	}
}

func TestTable_Random(t *testing.T) {
	for i := range Table {
		o := &Table[i]
		t.Run(o.Name, func(t *testing.T) {
			r := CaseRNG(12345)
			for c := 0; c < randomCases; c++ {
				runCase(t, o, uint64(1000+c), o.Random(r))
			}
		})
	}
}

func BenchmarkTable(b *testing.B) {
	for i := range Table {
		o := &Table[i]
		for _, d := range o.Bench {
			c := o.Gen(CaseRNG(1), d)
			for _, fast := range []bool{false, true} {
				name := fmt.Sprintf("%s/%v/ref", o.Name, d)
				if fast {
					name = fmt.Sprintf("%s/%v/fast", o.Name, d)
				}
				b.Run(name, func(b *testing.B) {
					for b.Loop() {
						c.Run(fast)
					}
					b.ReportMetric(o.Ops(d)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOPS")
				})
			}
		}
	}
}
