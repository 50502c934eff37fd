package invitations

import (
	"net/mail"
	"strconv"
	"strings"
)

// checkEmail requires a bare address such as "ada@example.com": no display
// name, no angle brackets, no surrounding spaces.
func checkEmail(param, email string) error {
	if strings.TrimSpace(email) == "" {
		return &ValidationError{Param: param, Reason: "is required"}
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

// checkRequired requires a non-blank string.
func checkRequired(param, v string) error {
	if strings.TrimSpace(v) == "" {
		return &ValidationError{Param: param, Reason: "is required"}
	}
	return nil
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
