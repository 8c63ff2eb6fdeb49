package bnn

import (
	"math"
	"math/rand/v2"

	"github.com/qdiff/qdiff/models/nn"
)

// stageRetentions builds the two retention matrices (stages 0-1 and 1-2)
// of every image of a batch, images in parallel.
func stageRetentions(s [3]*nn.T) [][2]*retention {
	rs := make([][2]*retention, s[0].B)
	nn.Parallel(s[0].B, func(_, i0, i1 int) {
		for b := i0; b < i1; b++ {
			rs[b] = [2]*retention{newRetention(s[0], s[1], b), newRetention(s[1], s[2], b)}
		}
	})
	return rs
}

// lcrLoss is LCR-BNN's Lipschitz-continuity-retention regularizer: for
// each pair of consecutive stages, the spectral norm of the student's
// retention matrix should keep the ratio of its full-precision
// counterpart's, L = mean_b sum_pairs (sigma_S/sigma_T - 1)^2. The teacher
// is a constant; it returns w*L and adds w*dL/ds into ds (shapes of s).
func lcrLoss(rs, rt [][2]*retention, ds [3]*nn.T, w float64) float64 {
	nb := float64(len(rs))
	per := make([]float64, len(rs))
	nn.Parallel(len(rs), func(_, i0, i1 int) {
		for b := i0; b < i1; b++ {
			for k := 0; k < 2; k++ {
				if rt[b][k].Sigma == 0 {
					continue
				}
				q := rs[b][k].Sigma/rt[b][k].Sigma - 1
				per[b] += q * q / nb
				rs[b][k].backward(w*2*q/rt[b][k].Sigma/nb, ds[k], ds[k+1])
			}
		}
	})
	var loss float64
	for _, v := range per {
		loss += v
	}
	return w * loss
}

// lipschitzLoss is LONDON's Lipschitz matching term: the network's
// Lipschitz constant is estimated as the product of the spectral norms of
// its transmitting matrices, and the student's log estimate is pulled to
// the teacher's, L = mean_b (log L_S - log L_T)^2. It returns w*L and adds
// w*dL/ds into ds.
func lipschitzLoss(rs, rt [][2]*retention, ds [3]*nn.T, w float64) float64 {
	nb := float64(len(rs))
	per := make([]float64, len(rs))
	nn.Parallel(len(rs), func(_, i0, i1 int) {
		for b := i0; b < i1; b++ {
			var ls, lt float64
			ok := true
			for k := 0; k < 2; k++ {
				if rs[b][k].Sigma == 0 || rt[b][k].Sigma == 0 {
					ok = false
					break
				}
				ls += math.Log(rs[b][k].Sigma)
				lt += math.Log(rt[b][k].Sigma)
			}
			if !ok {
				continue
			}
			q := ls - lt
			per[b] = q * q / nb
			for k := 0; k < 2; k++ {
				rs[b][k].backward(w*2*q/rs[b][k].Sigma/nb, ds[k], ds[k+1])
			}
		}
	})
	var loss float64
	for _, v := range per {
		loss += v
	}
	return w * loss
}

// kdLoss is Hinton's distillation loss tau^2 * mean_b KL(p_t || p_s) on
// logits softened by tau; it returns the loss and dL/dstudent.
func kdLoss(student, teacher *nn.T, tau float64) (float64, *nn.T) {
	k := student.C
	d := nn.NewT(student.B, k, 1, 1)
	var loss float64
	for b := 0; b < student.B; b++ {
		ps := softmaxT(student.D[b*k:(b+1)*k], tau)
		pt := softmaxT(teacher.D[b*k:(b+1)*k], tau)
		for j := range ps {
			if pt[j] > 0 {
				loss += pt[j] * (math.Log(pt[j]) - math.Log(max(ps[j], 1e-30)))
			}
			d.D[b*k+j] = float32(tau * (ps[j] - pt[j]) / float64(student.B))
		}
	}
	return tau * tau * loss / float64(student.B), d
}

func softmaxT(z []float32, tau float64) []float64 {
	p := make([]float64, len(z))
	mx := math.Inf(-1)
	for _, v := range z {
		mx = math.Max(mx, float64(v)/tau)
	}
	var s float64
	for i, v := range z {
		p[i] = math.Exp(float64(v)/tau - mx)
		s += p[i]
	}
	for i := range p {
		p[i] /= s
	}
	return p
}

// infoNCE is the symmetric contrastive loss between two batches of
// embeddings a, b [B, D]: row i of a and row i of b are the positive pair,
// every other row of the other batch a negative. Embeddings are
// L2-normalized inside; tau is the temperature.
func infoNCE(a, b *nn.T, tau float64) (float64, *nn.T, *nn.T) {
	n, dim := a.B, a.C
	za, na := l2rows(a)
	zb, nb := l2rows(b)
	s := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			var v float64
			for c := 0; c < dim; c++ {
				v += za[i*dim+c] * zb[j*dim+c]
			}
			s[i*n+j] = v / tau
		}
	}
	ds := make([]float64, n*n)
	var loss float64
	for dir := 0; dir < 2; dir++ { // rows: a -> b; columns: b -> a
		for i := 0; i < n; i++ {
			at := func(j int) int {
				if dir == 0 {
					return i*n + j
				}
				return j*n + i
			}
			mx := math.Inf(-1)
			for j := 0; j < n; j++ {
				mx = math.Max(mx, s[at(j)])
			}
			var z float64
			for j := 0; j < n; j++ {
				z += math.Exp(s[at(j)] - mx)
			}
			loss += (mx + math.Log(z) - s[at(i)]) / float64(2*n)
			for j := 0; j < n; j++ {
				g := math.Exp(s[at(j)]-mx) / z
				if j == i {
					g--
				}
				ds[at(j)] += g / float64(2*n)
			}
		}
	}
	dza, dzb := make([]float64, n*dim), make([]float64, n*dim)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			g := ds[i*n+j] / tau
			for c := 0; c < dim; c++ {
				dza[i*dim+c] += g * zb[j*dim+c]
				dzb[j*dim+c] += g * za[i*dim+c]
			}
		}
	}
	return loss, l2back(za, na, dza, a), l2back(zb, nb, dzb, b)
}

func l2rows(x *nn.T) ([]float64, []float64) {
	z := make([]float64, len(x.D))
	norms := make([]float64, x.B)
	for i := 0; i < x.B; i++ {
		var s float64
		for _, v := range x.D[i*x.C : (i+1)*x.C] {
			s += float64(v) * float64(v)
		}
		norms[i] = math.Max(math.Sqrt(s), 1e-12)
		for c, v := range x.D[i*x.C : (i+1)*x.C] {
			z[i*x.C+c] = float64(v) / norms[i]
		}
	}
	return z, norms
}

// l2back maps dL/dz to dL/dx for z = x/|x|: (dz - z (z.dz)) / |x|.
func l2back(z, norms, dz []float64, x *nn.T) *nn.T {
	dx := nn.NewT(x.B, x.C, 1, 1)
	for i := 0; i < x.B; i++ {
		var zd float64
		for c := 0; c < x.C; c++ {
			zd += z[i*x.C+c] * dz[i*x.C+c]
		}
		for c := 0; c < x.C; c++ {
			dx.D[i*x.C+c] = float32((dz[i*x.C+c] - z[i*x.C+c]*zd) / norms[i])
		}
	}
	return dx
}

// cmimHeads are CMIM's projection heads: for each binary stage the
// latent full-precision activations a_F (input of the sign) and the binary
// ones a_B = sign(a_F) are pooled over pixels and projected, and InfoNCE
// pulls together a_B and a_F of the same image against the other images
// of the batch (the negatives).
type cmimHeads struct {
	Tau    float64
	Layers []int        // binary stages used (indices into the net's sign layers)
	HB, HF []*nn.Linear // projection heads of binary and FP activations
}

// cmimDim is the width of the projected embeddings.
const cmimDim = 64

func newCMIMHeads(seed uint64, chans map[int]int, layers []int, tau float64) *cmimHeads {
	r := rand.New(rand.NewPCG(seed, 0xc313))
	h := &cmimHeads{Tau: tau, Layers: layers}
	for _, l := range layers {
		h.HB = append(h.HB, nn.NewLinear(r, "cmim.b", chans[l], cmimDim, 1))
		h.HF = append(h.HF, nn.NewLinear(r, "cmim.f", chans[l], cmimDim, 1))
	}
	return h
}

// Params lists the heads' weights (trained with the network, discarded at export).
func (h *cmimHeads) Params() []*nn.Param {
	var ps []*nn.Param
	for i := range h.HB {
		ps = append(ps, h.HB[i].Params()...)
		ps = append(ps, h.HF[i].Params()...)
	}
	return ps
}

// loss sums InfoNCE over the stages; it takes the pre-sign activations of
// each stage and adds dL/da_F
// (including the straight-through path of a_B) into d.
func (h *cmimHeads) loss(pre, d []*nn.T, w float64) float64 {
	var total float64
	for i, l := range h.Layers {
		x := pre[l]
		hw := x.H * x.W
		pf, pb := nn.NewT(x.B, x.C, 1, 1), nn.NewT(x.B, x.C, 1, 1)
		for b := 0; b < x.B; b++ {
			for c := 0; c < x.C; c++ {
				var sf, sb float32
				for _, v := range x.Img(b)[c*hw : (c+1)*hw] {
					sf += v
					sb += signOf(v)
				}
				pf.D[b*x.C+c] = sf / float32(hw)
				pb.D[b*x.C+c] = sb / float32(hw)
			}
		}
		loss, dzb, dzf := infoNCE(h.HB[i].Forward(pb), h.HF[i].Forward(pf), h.Tau)
		total += w * loss
		scaleT(dzb, w)
		scaleT(dzf, w)
		gb, gf := h.HB[i].Backward(dzb), h.HF[i].Backward(dzf)
		for b := 0; b < x.B; b++ {
			img, dimg := x.Img(b), d[l].Img(b)
			for c := 0; c < x.C; c++ {
				vb, vf := gb.D[b*x.C+c]/float32(hw), gf.D[b*x.C+c]/float32(hw)
				for p := c * hw; p < (c+1)*hw; p++ {
					g := vf
					if img[p] >= -1 && img[p] <= 1 {
						g += vb
					}
					dimg[p] += g
				}
			}
		}
	}
	return total
}

func scaleT(t *nn.T, w float64) {
	for i := range t.D {
		t.D[i] *= float32(w)
	}
}
