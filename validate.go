package invitations

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkEmail requires a bare address such as "ada@example.com": no display
// name, no angle brackets, no surrounding spaces, and none of the
// characters checkText rejects (net/mail lets a tab inside quotes and C1
// controls such as U+0085 through).
func checkEmail(param, email string) error {
	if strings.TrimSpace(email) == "" {
		return &ValidationError{Param: param, Reason: "is required"}
	}
	if err := checkText(param, email); err != nil {
		return err
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return &ValidationError{Param: param, Reason: "must be a plain email address such as name@example.com"}
	}
	return nil
}

// checkRange requires lo <= v <= hi.
func checkRange(param string, v, lo, hi int64) error {
	if v < lo || v > hi {
		return &ValidationError{Param: param, Reason: "must be between " + strconv.FormatInt(lo, 10) + " and " + strconv.FormatInt(hi, 10)}
	}
	return nil
}

// checkRequired requires a non-blank string that checkText accepts: ids,
// permission names, user names and the like never legitimately hold
// control characters.
func checkRequired(param, v string) error {
	if strings.TrimSpace(v) == "" {
		return &ValidationError{Param: param, Reason: "is required"}
	}
	return checkText(param, v)
}

// checkText rejects text that would not reach the server as given, or
// could disguise what it says once logged or displayed there: invalid
// UTF-8 (encoding/json silently turns it into U+FFFD), control characters
// (C0, DEL and C1, line breaks included), the Unicode line and paragraph
// separators, and bidirectional formatting characters. The value itself is
// never echoed in the error.
func checkText(param, v string) error {
	if !utf8.ValidString(v) {
		return &ValidationError{Param: param, Reason: "must be valid UTF-8"}
	}
	for _, r := range v {
		if unsafeRune(r) {
			return &ValidationError{Param: param, Reason: "must not contain control characters"}
		}
	}
	return nil
}

// unsafeRune reports the runes checkText rejects.
func unsafeRune(r rune) bool {
	switch {
	case unicode.IsControl(r): // C0, DEL, C1
		return true
	case r == '\u2028', r == '\u2029': // line and paragraph separators
		return true
	case r == '\u061c', r == '\u200e', r == '\u200f', // bidi marks
		r >= '\u202a' && r <= '\u202e', // embeddings and overrides
		r >= '\u2066' && r <= '\u2069': // isolates
		return true
	}
	return false
}

// firstError returns the first non-nil error, so a method can list its
// checks in order and stop at the first failure.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
