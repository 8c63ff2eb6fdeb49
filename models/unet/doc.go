// Package unet owns the class-conditional DDPM U-Net: its configuration
// and forward/backward pass, the linear noise schedule with the DDPM and
// DDIM samplers (classifier-free guidance), the resumable diffusion
// trainer, zoo-file loading and export, and the conversion to the
// inference engine (ToEngine, EngineEps).
//
// It builds on nn, mnist, engine and st, and imports no experiment
// (ptq, bnn, prune): retraining hooks such as a pruning mask or a
// distillation loss are set on the Trainer by their owners.
package unet
