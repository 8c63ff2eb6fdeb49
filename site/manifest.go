package site

// Model is one downloadable engine weights file.
type Model struct {
	Precision string `json:"precision"`
	URL       string `json:"url"`
	SHA256    string `json:"sha256"`
	Bytes     int    `json:"bytes"`
	Wire      int    `json:"wire"` // bytes over the network when the server sends the smallest precompressed variant
}

// Manifest tells the page where its assets are (relative URLs, so the
// folder can be served from any path).
type Manifest struct {
	App, Client, Pad, Docs, Worker, Style, Wasm, WasmExec string
	WasmBytes, WasmWire                                   int    // size of the wasm program, and its smallest precompressed variant
	Icon                                                  string // favicon (PNG)
	Example                                               string // the example grid shown before the first generation ("" if none)
	Models                                                []Model
	Classifier                                            *Model // the binary network (nil: no labels, no drawing pad)
	Dialog                                                *Model // the SI-Dial model for the binary network (nil: no occlude tool)
	Commit                                                string
}

// Data is what the page's script reads from its JSON script element.
func (m Manifest) Data() map[string]any {
	return map[string]any{"worker": m.Worker, "wasm": m.Wasm, "wasmBytes": m.WasmBytes, "wasmWire": m.WasmWire, "wasmExec": m.WasmExec, "models": m.Models, "classifier": m.Classifier, "dialog": m.Dialog}
}

// Model returns the model of a precision (nil if the site has none).
func (m Manifest) Model(precision string) *Model {
	for i := range m.Models {
		if m.Models[i].Precision == precision {
			return &m.Models[i]
		}
	}
	return nil
}
