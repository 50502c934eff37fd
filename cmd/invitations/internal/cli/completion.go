package cli

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// completeOutputs makes the shell complete every -o of the command tree
// under root ("invitations completion bash" writes the script): the
// values are those the flag's usage lists after "output format:", as
// every -o documents them ("table, csv or json (JSON lines)"), so that a
// new -o completes without more code. No file names are offered.
func completeOutputs(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if f := c.LocalFlags().Lookup("output"); f != nil {
			if _, ok := c.GetFlagCompletionFunc("output"); !ok {
				_ = c.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(outputValues(f.Usage), cobra.ShellCompDirectiveNoFileComp))
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// parenthesis matches a parenthesized remark of a usage text.
var parenthesis = regexp.MustCompile(`\([^)]*\)`)

// outputValues reads the values a -o usage lists: "output format: text,
// or json (the report)" gives text and json.
func outputValues(usage string) []string {
	_, list, ok := strings.Cut(usage, "output format:")
	if !ok {
		return nil
	}
	list = parenthesis.ReplaceAllString(list, "")
	var out []string
	for _, part := range strings.Split(strings.ReplaceAll(list, " or ", ","), ",") {
		if v := strings.TrimSpace(part); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// byFlag adds plan's --by, completed in the shell.
func byFlag(cmd *cobra.Command, by *string) {
	cmd.Flags().StringVar(by, "by", string(byVendor), "group the changes by "+strings.Join(groupings, " or ")+" (see README: by vendor is the order apply follows)")
	_ = cmd.RegisterFlagCompletionFunc("by", cobra.FixedCompletions(groupings, cobra.ShellCompDirectiveNoFileComp))
}

// checkBy refuses a --by that is not a grouping, before anything is read.
func checkBy(by string) error {
	if !slices.Contains(groupings, by) {
		return &exitError{code: ExitError, err: fmt.Errorf("--by %q: must be %s", by, strings.Join(groupings, " or "))}
	}
	return nil
}
