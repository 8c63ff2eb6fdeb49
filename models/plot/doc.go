// Package plot draws what people look at: sample grids of digit batches,
// loss curves, and PNG files.
//
// It imports only nn (the tensor type).
package plot
