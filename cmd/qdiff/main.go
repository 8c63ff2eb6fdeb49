// Command qdiff trains, quantizes, evaluates and runs qdiff's models.
//
//	qdiff train-diffusion [flags]   train the FP U-Net (resumable)
//
// Run `qdiff <command> -h` for a command's flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

type command struct {
	name, help string
	run        func(args []string) error
}

var commands []command

func register(name, help string, run func([]string) error) {
	commands = append(commands, command{name, help, run})
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: qdiff <command> [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-16s %s\n", c.name, c.help)
	}
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	switch os.Args[1] {
	case "-h", "-help", "--help", "help":
		usage()
		return
	}
	for _, c := range commands {
		if c.name == os.Args[1] {
			err := c.run(os.Args[2:])
			if errors.Is(err, flag.ErrHelp) {
				return // -h: the flag set printed the usage
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "qdiff %s: %v\n", c.name, err)
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintf(os.Stderr, "qdiff: unknown command %q\n", os.Args[1])
	usage()
	os.Exit(2)
}
