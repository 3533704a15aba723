package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// `pobox help`, and mistakes on the command line: an unknown verb, help
// topic, shell or flag is a usage error (exit status 2) that names the
// nearest one.

// rootArgs refuses a word that names no verb, suggesting the nearest.
func rootArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return unknownCommand(cmd, "command", args[0])
}

// unknownCommand is the usage error for a word that names no subcommand
// of cmd, with the nearest one as a suggestion.
func unknownCommand(cmd *cobra.Command, what, word string) error {
	return unknownWord(cmd, what, word, word)
}

// unknownWord is unknownCommand for a phrase (a help topic) whose word
// names no subcommand of cmd.
func unknownWord(cmd *cobra.Command, what, phrase, word string) error {
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default, set only where it suggests itself
	}
	msg := fmt.Sprintf("unknown %s %q", what, phrase)
	if s := cmd.SuggestionsFor(word); len(s) > 0 {
		msg += fmt.Sprintf(" (did you mean %q?)", s[0])
	}
	return &usageErr{msg}
}

// flagError is the usage error for a flag cmd cannot parse; a misspelt
// long flag gets the nearest one as a suggestion.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return &usageErr{msg}
	}
	// At most 2 edits away, as for commands, else the first the name
	// begins (--prio: --priority).
	best, bestScore := "", 4
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		score := editDistance(name, f.Name)
		if score > 2 {
			score = 4
			if len(name) >= 3 && strings.HasPrefix(f.Name, name) {
				score = 3
			}
		}
		if !f.Hidden && score < bestScore {
			best, bestScore = f.Name, score
		}
	})
	if best != "" {
		msg += fmt.Sprintf(" (did you mean --%s?)", best)
	}
	return &usageErr{msg}
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (flag names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// newHelpCmd is `pobox help [command]`: cobra's, but a topic that names
// no command is a usage error with a suggestion, not the root's help.
func newHelpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:     "help [command]",
		Short:   "help about any command",
		Example: "  pobox help list",
		ValidArgsFunction: func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			cmd, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []string
			for _, c := range cmd.Commands() {
				if c.IsAvailableCommand() && strings.HasPrefix(c.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(c.Name(), c.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil {
				return &usageErr{err.Error()}
			}
			if len(rest) > 0 {
				return unknownWord(cmd, "help topic", strings.Join(args, " "), rest[0])
			}
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	}
}
