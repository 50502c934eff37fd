package cli

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/invitesdk/invitations/access"
)

// outcomeLine is one line of `apply -o json`: a change's outcome, written
// as the change ends. The fields are those of offboard's report
// (reportOutcome), with a type.
type outcomeLine struct {
	// Type is "outcome".
	Type string `json:"type"`
	reportOutcome
}

// applySummary is the last line of `apply -o json`: the outcomes counted.
type applySummary struct {
	// Type is "summary".
	Type        string `json:"type"`
	Changes     int    `json:"changes"`
	Done        int    `json:"done"`
	AlreadyDone int    `json:"already_done"`
	Failed      int    `json:"failed"`
	InDoubt     int    `json:"in_doubt"`
	Skipped     int    `json:"skipped"`
	// Settled counts the earlier changes in doubt the plan's reads
	// settled, which the apply recorded.
	Settled int `json:"settled"`
}

// outcomes is where an apply's outcomes go: text lines after the apply
// (in plan order), or, with json set (apply -o json), one JSON line per
// change as it ends, then a summary line.
type outcomes struct {
	json *json.Encoder
	// err is the first error writing a JSON line: the apply goes on (its
	// changes are under way), and the command fails at the end.
	err error
}

// textOut is where the text that is not the outcomes goes (the plan, its
// coverage, a hint): stdout, or stderr when stdout carries JSON lines.
func (o *outcomes) textOut(stdout, stderr io.Writer) io.Writer {
	if o.json != nil {
		return stderr
	}
	return stdout
}

// options are the apply's options: with JSON lines, each outcome written
// as it ends.
func (o *outcomes) options() access.ApplyOptions {
	if o.json == nil {
		return access.ApplyOptions{}
	}
	return access.ApplyOptions{OnResult: func(r access.Result) {
		if err := o.json.Encode(outcomeLine{Type: "outcome", reportOutcome: outcomeOf(r)}); err != nil && o.err == nil {
			o.err = err
		}
	}}
}

// finish writes what comes after the apply, and returns the outcomes
// counted: the text lines (changes shown as layout says) and the summary
// line, or the JSON summary. settled is the number of earlier doubts the
// apply recorded.
func (o *outcomes) finish(w io.Writer, layout planLayout, results []access.Result, settled int) (map[access.Outcome]int, error) {
	counts := map[access.Outcome]int{}
	for _, r := range results {
		counts[r.Outcome]++
		if o.json == nil {
			fmt.Fprintln(w, layout.outcomeLine(r))
		}
	}
	if o.json == nil {
		switch {
		case len(results) > 0:
			fmt.Fprintf(w, "Apply: %d done, %d already done, %d failed, %d in doubt, %d skipped.\n",
				counts[access.Done], counts[access.AlreadyDone], counts[access.Failed], counts[access.InDoubt], counts[access.Skipped])
		case settled > 0:
			fmt.Fprintf(w, "Settled %s that %s in doubt.\n", changesCount(settled), wasWere(settled))
		}
		return counts, nil
	}
	if o.err != nil {
		return counts, o.err
	}
	return counts, o.json.Encode(applySummary{Type: "summary", Changes: len(results),
		Done: counts[access.Done], AlreadyDone: counts[access.AlreadyDone], Failed: counts[access.Failed],
		InDoubt: counts[access.InDoubt], Skipped: counts[access.Skipped], Settled: settled})
}

// outcomeOf is r as offboard's report and apply's JSON lines show it.
func outcomeOf(r access.Result) reportOutcome {
	o := reportOutcome{Change: r.Change, Outcome: r.Outcome}
	if r.Err != nil {
		o.Error = r.Err.Error()
	}
	return o
}
