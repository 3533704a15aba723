// Command pobox is a terminal inbox for Pushover: it logs in as an Open
// Client device, keeps every message in a local SQLite cache and lets a
// person read, search, delete and acknowledge messages from a keyboard.
//
// The command line lives in package cli; main only runs it.
package main

import (
	"os"

	"pobox/cli"
)

func main() { os.Exit(cli.Execute()) }
