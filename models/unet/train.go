package unet

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/st"
)

// TrainConfig configures a diffusion training run.
type TrainConfig struct {
	Steps       int     // total optimizer steps
	Batch       int     // images per step
	LR, MinLR   float64 // peak and final learning rate
	Warmup      int     // warm-up steps
	WeightDecay float64
	EMADecay    float64
	ClipNorm    float64
	LabelDrop   float64 // probability of training with the "no label" token
	Seed        uint64
	CkptPath    string        // checkpoint file (resumed from if it exists)
	CkptEvery   time.Duration // wall time between checkpoints
	LogEvery    int           // steps between progress lines
	LossLog     string        // CSV of step,loss appended as training goes
}

// DefaultTrain is the configuration of the committed model.
var DefaultTrain = TrainConfig{Steps: 3500, Batch: 64, LR: 8e-4, MinLR: 2e-5, Warmup: 500,
	WeightDecay: 0.01, EMADecay: 0.999, ClipNorm: 1, LabelDrop: 0.1, Seed: 1,
	CkptEvery: 5 * time.Minute, LogEvery: 50}

// Trainer holds the state of a training run.
type Trainer struct {
	Cfg     TrainConfig
	Net     *UNet
	Sched   *Schedule
	Opt     *nn.AdamW
	EMA     *nn.EMA
	Step    int
	Elapsed time.Duration // training wall time over all sessions
	rng     *rand.Rand
	pcg     *rand.PCG
	data    *mnist.Dataset

	// For retraining (a pruned net, say): AfterUpdate, if set, runs after
	// every optimizer step (re-applying a mask); with Teacher and Distill
	// set, Distill adds a distillation loss of out against the teacher's
	// output for the same batch into d and returns that loss; frac is the
	// run's progress, 0 at the first step and 1 at the last.
	AfterUpdate func()
	Teacher     *UNet
	Distill     func(out, teacher, d *nn.T, frac float64) float64
}

// NewTrainer starts a run, or resumes it from cfg.CkptPath if that exists.
func NewTrainer(cfg TrainConfig, data *mnist.Dataset) (*Trainer, error) {
	if cfg.Batch < 1 || cfg.Steps < 1 {
		return nil, fmt.Errorf("train: batch %d and steps %d must be positive", cfg.Batch, cfg.Steps)
	}
	pcg := rand.NewPCG(cfg.Seed, 0x7a1e)
	tr := &Trainer{Cfg: cfg, Net: NewUNet(DefaultUNet, cfg.Seed), Sched: DefaultSchedule(),
		Opt: &nn.AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: cfg.WeightDecay},
		pcg: pcg, rng: rand.New(pcg), data: data}
	tr.EMA = nn.NewEMA(tr.Net.Params(), cfg.EMADecay)
	if cfg.CkptPath != "" {
		if _, err := os.Stat(cfg.CkptPath); err == nil {
			if err := tr.load(cfg.CkptPath); err != nil {
				return nil, fmt.Errorf("train: resume: %w", err)
			}
		}
	}
	return tr, nil
}

// TrainStep runs one optimizer step and returns the batch loss.
func (tr *Trainer) TrainStep() (float64, error) {
	b, n := tr.Cfg.Batch, 28*28
	x := nn.NewT(b, 1, 28, 28)
	eps := make([]float32, b*n)
	ts := make([]float64, b)
	labels := make([]int, b)
	x0 := make([]float32, n)
	for i := range b {
		j := tr.rng.IntN(tr.data.N)
		for p, v := range tr.data.Image(j) {
			x0[p] = float32(v)/127.5 - 1
		}
		labels[i] = int(tr.data.Labels[j])
		if tr.rng.Float64() < tr.Cfg.LabelDrop {
			labels[i] = tr.Net.Cfg.Classes
		}
		t := tr.rng.IntN(tr.Sched.T)
		ts[i] = float64(t)
		e := eps[i*n : (i+1)*n]
		for p := range e {
			e[p] = float32(tr.rng.NormFloat64())
		}
		tr.Sched.Noise(x0, e, x.Img(i), t)
	}
	out, err := tr.Net.Forward(x, ts, labels)
	if err != nil {
		return 0, err
	}
	var loss float64
	d := nn.NewT(b, 1, 28, 28)
	scale := float32(2.0 / float64(len(out.D)))
	for i, v := range out.D {
		r := v - eps[i]
		loss += float64(r) * float64(r)
		d.D[i] = scale * r
	}
	loss /= float64(len(out.D))
	if tr.Teacher != nil && tr.Distill != nil {
		tout, err := tr.Teacher.Forward(x, ts, labels)
		if err != nil {
			return 0, err
		}
		frac := float64(tr.Step) / float64(max(tr.Cfg.Steps-1, 1))
		loss += tr.Distill(out, tout, d, frac)
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, fmt.Errorf("train: loss is %v at step %d", loss, tr.Step)
	}
	tr.Net.Backward(d)
	ps := tr.Net.Params()
	nn.ClipGrads(ps, tr.Cfg.ClipNorm)
	lr := nn.LRSchedule{Base: tr.Cfg.LR, Min: tr.Cfg.MinLR, Warmup: tr.Cfg.Warmup, Total: tr.Cfg.Steps}.At(tr.Step)
	tr.Opt.Update(ps, lr)
	if tr.AfterUpdate != nil {
		tr.AfterUpdate()
	}
	tr.EMA.Update(ps)
	tr.Step++
	return loss, nil
}

// Run trains until cfg.Steps or ctx is done, logging progress to log and
// checkpointing every CkptEvery and at the end.
func (tr *Trainer) Run(ctx context.Context, log io.Writer) error {
	var lossLog *os.File
	if tr.Cfg.LossLog != "" {
		if err := trimLossLog(tr.Cfg.LossLog, tr.Step); err != nil {
			return err
		}
		f, err := os.OpenFile(tr.Cfg.LossLog, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		lossLog = f
	}
	start, lastCk := time.Now(), time.Now()
	base := tr.Elapsed
	startStep := tr.Step
	var smooth float64
	fmt.Fprintf(log, "train: %d params, step %d of %d, batch %d, %d workers\n", tr.Net.NumParams(), tr.Step, tr.Cfg.Steps, tr.Cfg.Batch, nn.Workers)
	for tr.Step < tr.Cfg.Steps {
		if ctx.Err() != nil {
			break
		}
		loss, err := tr.TrainStep()
		if err != nil {
			return err
		}
		if smooth == 0 {
			smooth = loss
		}
		smooth = 0.98*smooth + 0.02*loss
		tr.Elapsed = base + time.Since(start)
		if lossLog != nil {
			fmt.Fprintf(lossLog, "%d,%.6f\n", tr.Step, loss)
		}
		if tr.Step%tr.Cfg.LogEvery == 0 || tr.Step == tr.Cfg.Steps {
			dt := time.Since(start).Seconds()
			done := tr.Step - startStep
			ips := float64(done*tr.Cfg.Batch) / dt
			eta := time.Duration(float64(tr.Cfg.Steps-tr.Step) / float64(done) * dt * float64(time.Second))
			fmt.Fprintf(log, "step %6d/%d  loss %.4f (avg %.4f)  %.1f img/s  %.1f GFLOP/s  elapsed %s  ETA %s\n",
				tr.Step, tr.Cfg.Steps, loss, smooth, ips, ips*3*UNetFLOPs(DefaultUNet)/1e9,
				tr.Elapsed.Round(time.Second), eta.Round(time.Second))
		}
		if tr.Cfg.CkptPath != "" && time.Since(lastCk) >= tr.Cfg.CkptEvery {
			if err := tr.Save(tr.Cfg.CkptPath); err != nil {
				return err
			}
			lastCk = time.Now()
			fmt.Fprintf(log, "checkpoint %s at step %d\n", tr.Cfg.CkptPath, tr.Step)
		}
	}
	if tr.Cfg.CkptPath != "" {
		if err := tr.Save(tr.Cfg.CkptPath); err != nil {
			return err
		}
		fmt.Fprintf(log, "checkpoint %s at step %d\n", tr.Cfg.CkptPath, tr.Step)
	}
	return nil
}

// Save writes a resumable checkpoint: weights, Adam moments, EMA, RNG state.
func (tr *Trainer) Save(path string) error {
	var ts []st.Tensor
	for i, p := range tr.Net.Params() {
		ts = append(ts, st.F32Tensor("param/"+p.Name, p.Shape, p.W))
		if p.M != nil {
			ts = append(ts, st.F32Tensor("adam_m/"+p.Name, p.Shape, p.M), st.F32Tensor("adam_v/"+p.Name, p.Shape, p.V))
		}
		ts = append(ts, st.F32Tensor("ema/"+p.Name, p.Shape, tr.EMA.Shadow[i]))
	}
	rs, err := tr.pcg.MarshalBinary()
	if err != nil {
		return err
	}
	cfg, _ := json.Marshal(tr.Net.Cfg)
	meta := map[string]string{
		"qdiff.kind": "checkpoint", "qdiff.step": strconv.Itoa(tr.Step), "qdiff.adam_step": strconv.Itoa(tr.Opt.Step),
		"qdiff.rng": hex.EncodeToString(rs), "qdiff.unet_config": string(cfg),
		"qdiff.elapsed_s": strconv.FormatFloat(tr.Elapsed.Seconds(), 'f', 1, 64),
	}
	return st.WriteFile(path, meta, ts)
}

func (tr *Trainer) load(path string) error {
	f, err := st.ReadFile(path)
	if err != nil {
		return err
	}
	if f.Meta["qdiff.kind"] != "checkpoint" {
		return fmt.Errorf("%s is not a training checkpoint", path)
	}
	for i, p := range tr.Net.Params() {
		if err := nn.LoadInto(f, "param/"+p.Name, p.W); err != nil {
			return err
		}
		if err := nn.LoadInto(f, "ema/"+p.Name, tr.EMA.Shadow[i]); err != nil {
			return err
		}
		if _, ok := f.Get("adam_m/" + p.Name); ok {
			p.M, p.V = make([]float32, len(p.W)), make([]float32, len(p.W))
			if err := nn.LoadInto(f, "adam_m/"+p.Name, p.M); err != nil {
				return err
			}
			if err := nn.LoadInto(f, "adam_v/"+p.Name, p.V); err != nil {
				return err
			}
		}
	}
	if tr.Step, err = strconv.Atoi(f.Meta["qdiff.step"]); err != nil {
		return fmt.Errorf("bad qdiff.step: %w", err)
	}
	if tr.Opt.Step, err = strconv.Atoi(f.Meta["qdiff.adam_step"]); err != nil {
		return fmt.Errorf("bad qdiff.adam_step: %w", err)
	}
	rs, err := hex.DecodeString(f.Meta["qdiff.rng"])
	if err != nil {
		return fmt.Errorf("bad qdiff.rng: %w", err)
	}
	if err := tr.pcg.UnmarshalBinary(rs); err != nil {
		return fmt.Errorf("bad qdiff.rng: %w", err)
	}
	if s, err := strconv.ParseFloat(f.Meta["qdiff.elapsed_s"], 64); err == nil {
		tr.Elapsed = time.Duration(s * float64(time.Second))
	}
	return nil
}

// UNetFLOPs counts the multiply-adds x2 of one forward pass of one image
// through the convolutions, linear layers and attention products.
func UNetFLOPs(c UNetConfig) float64 {
	s := float64(c.Size)
	c0, c1, c2 := float64(c.Ch[0]), float64(c.Ch[1]), float64(c.Ch[2])
	conv := func(hw, cin, cout, k float64) float64 { return 2 * hw * cin * cout * k * k }
	res := func(hw, cin, cout float64) float64 {
		f := conv(hw, cin, cout, 3) + conv(hw, cout, cout, 3)
		if cin != cout {
			f += conv(hw, cin, cout, 1)
		}
		return f
	}
	a0, a1, a2 := s*s, s*s/4, s*s/16
	f := conv(a0, 1, c0, 3) + res(a0, c0, c0) + conv(a1, c0, c0, 3) + res(a1, c0, c1) + conv(a2, c1, c1, 3)
	f += res(a2, c1, c2) + res(a2, c2, c2) + conv(a2, c2, 3*c2, 1) + conv(a2, c2, c2, 1) + 2*2*a2*a2*c2
	f += res(a1, c2+c1, c1) + res(a0, c1+c0, c0) + conv(a0, c0, 1, 3)
	return f
}
