package site

// Model is one downloadable engine weights file.
type Model struct {
	Precision string `json:"precision"`
	URL       string `json:"url"`
	SHA256    string `json:"sha256"`
	Bytes     int    `json:"bytes"`
}

// Manifest tells the page where its assets are (relative URLs, so the
// folder can be served from any path).
type Manifest struct {
	App, Pad, Docs, Worker, Style, Wasm, WasmExec string
	Models                                        []Model
	Classifier                                    *Model // the binary network (nil: no labels, no drawing pad)
	Dialog                                        *Model // the SI-Dial model for the binary network (nil: no occlude tool)
	Commit                                        string
}

// Data is what the page's script reads from its JSON script element.
func (m Manifest) Data() map[string]any {
	return map[string]any{"worker": m.Worker, "wasm": m.Wasm, "wasmExec": m.WasmExec, "models": m.Models, "classifier": m.Classifier, "dialog": m.Dialog}
}
