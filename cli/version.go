package main

import (
	"context"
	"fmt"
	"runtime"
)

func runVersion(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "version", "version", "pobox version")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("version takes no arguments")
	}
	fmt.Fprintf(a.stdout, "pobox %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
