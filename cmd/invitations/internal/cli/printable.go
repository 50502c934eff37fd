package cli

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// printable returns s safe to print on a terminal: control characters
// (escape sequences that would clear the screen or recolour a plan being
// approved, carriage returns and newlines that would forge lines),
// bidirectional overrides (which reorder what is shown) and invalid UTF-8
// are written as Go escapes (\x1b, \n, \u202e). Every string a vendor or
// a file gave goes through it in text output; JSON escapes them itself.
func printable(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], string(utf8.RuneError)):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r):
			q := strconv.QuoteRune(r) // '\x1b', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unsafeRune reports whether r changes what a terminal shows beyond
// itself.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}
