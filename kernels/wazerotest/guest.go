package wazerotest

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// GuestPkg is the import path of the harness guest program.
const GuestPkg = "github.com/qdiff/qdiff/kernels/wazerotest/guest"

// Guest is a running guest module answering requests over pipes.
type Guest struct {
	in   *io.PipeWriter
	out  *bufio.Reader
	done chan error
}

// Start runs the compiled guest module in the background.
func (m *Module) Start(ctx context.Context, stderr io.Writer) *Guest {
	ir, iw := io.Pipe()
	or, ow := io.Pipe()
	g := &Guest{in: iw, out: bufio.NewReaderSize(or, 1<<16), done: make(chan error, 1)}
	go func() {
		err := m.Run(ctx, Config{Stdin: ir, Stdout: ow, Stderr: stderr})
		ow.CloseWithError(fmt.Errorf("guest exited: %v", err))
		ir.Close()
		g.done <- err
	}()
	return g
}

// Close ends the guest's input and waits for it to exit.
func (g *Guest) Close() error {
	g.in.Close()
	return <-g.done
}

func request(op string, n uint64, dims []int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d", op, n)
	for _, d := range dims {
		fmt.Fprintf(&b, " %d", d)
	}
	b.WriteByte('\n')
	return b.String()
}

// Run asks for the output of case seed of op at dims.
func (g *Guest) Run(op string, seed uint64, dims []int) ([]float64, error) {
	if _, err := io.WriteString(g.in, request("run "+op, seed, dims)); err != nil {
		return nil, err
	}
	var b [8]byte
	if _, err := io.ReadFull(g.out, b[:4]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint32(b[:4])
	if n > 1<<26 {
		return nil, fmt.Errorf("guest answered %d values", n)
	}
	res := make([]float64, n)
	for i := range res {
		if _, err := io.ReadFull(g.out, b[:]); err != nil {
			return nil, err
		}
		res[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
	}
	return res, nil
}

// Bench returns the nanoseconds the guest took for reps runs of op at dims.
func (g *Guest) Bench(op string, reps int, dims []int) (int64, error) {
	if _, err := io.WriteString(g.in, request("bench "+op, uint64(reps), dims)); err != nil {
		return 0, err
	}
	line, err := g.out.ReadString('\n')
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(line), 10, 64)
}

// Variants lists the guest's SIMD variants as "op target" strings.
func (g *Guest) Variants() ([]string, error) {
	if _, err := io.WriteString(g.in, "variants\n"); err != nil {
		return nil, err
	}
	var vs []string
	for {
		line, err := g.out.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimSpace(line)
		if line == "end" {
			return vs, nil
		}
		vs = append(vs, line)
	}
}
