package desired

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// decode reads the first YAML document of data, and the second if there is
// one (a file must hold one). doc is nil if data holds no document.
func decode(data []byte) (doc, second *yaml.Node, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	doc = &yaml.Node{}
	if err := dec.Decode(doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	second = &yaml.Node{}
	switch err := dec.Decode(second); {
	case errors.Is(err, io.EOF):
		return doc, nil, nil
	case err != nil:
		return nil, nil, err
	}
	return doc, second, nil
}

// syntaxError turns a yaml.v3 syntax error on data into an *Error naming
// the line and the column.
//
// yaml.v3 says at best "yaml: line N: problem", and its N is not always the
// problem's line: it is the line where the construct being read starts
// (the string or the flow list), one less than the line for a parser error
// (it counts from 0 there), and absent when that count is 0 or the error
// comes from the composer ("unknown anchor 'x' referenced"). So the line
// is not taken from the message: the position is found with yaml.v3
// itself, as the shortest start of the file that fails with the very same
// message (see locateSyntax).
func syntaxError(path string, data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var n int
	if _, serr := fmt.Sscanf(msg, "line %d:", &n); serr == nil {
		_, msg, _ = strings.Cut(msg, ": ")
	}
	off, atEnd := locateSyntax(data, err.Error(), msg)
	if atEnd {
		msg += " at the end of the file"
	}
	line, col := position(data, off)
	return &Error{File: path, Line: line, Column: col, Msg: msg}
}

// repairs are, for the parser errors that the end of the text also causes,
// what ends the construct at the end of the text, so that a start of the
// file fails with the message only where the file itself does.
var repairs = map[string]string{
	"did not find expected ',' or ']'":   "]",
	"did not find expected ',' or '}'":   "}",
	"did not find expected node content": " ~",
}

// parserErrors are yaml.v3's parser messages: they are about a token, and
// the position is the token's start.
var parserErrors = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
	"found undefined tag handle",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
}

// locateSyntax returns the byte offset in data of the syntax error that
// yaml.v3 reports as full (msg is full without "yaml: line N: "), or atEnd
// when the file ends where something else was expected (a flow list never
// closed).
//
// yaml.v3 reads the text in order, so every start of the file long enough
// to hold the problem fails with the same message, and a shorter one
// mostly does not: the shortest such start, found by a binary search,
// ends right after the character yaml.v3 stopped at. That is the position
// for the scanner's errors (a tab in the indentation, a character that
// cannot start a token, a bad escape; for a string never closed, its
// opening quote). A parser error is about a token: the position is the
// start of the token holding that character (the key before a ':', which
// yaml.v3 only knows to be a key on reading the ':'; the opening quote of
// a quoted string; the '*' of an unknown alias). The parser errors that
// the end of the text causes too ("did not find expected ',' or ']'") are
// tried with the construct closed after the start (repairs), so that
// they point at the token after the list item rather than at the item.
//
// Residual cases: a shorter start that fails with the very same message,
// on the same line, for another reason makes the position earlier, on
// that line; and the start of a key is found by reading its line back,
// which a plain key holding " - ", "{", "[" or "," fools (the position is
// then in the key). The position is always on a line and a column of the
// file.
func locateSyntax(data []byte, full, msg string) (off int, atEnd bool) {
	repair := repairs[msg]
	// The starts are read after an empty line: yaml.v3 leaves the line out
	// of its message when it counts it as 0, so that without it a start
	// ending on the first line could fail with another message.
	lead := "\n"
	if want := errText([]byte(lead + string(data))); want != "" {
		full = want
	} else {
		lead = ""
	}
	same := func(n int) bool {
		text := make([]byte, 0, len(lead)+n+len(repair))
		text = append(append(append(text, lead...), data[:n]...), repair...)
		return errText(text) == full
	}
	if repair != "" && !same(len(data)) {
		end := len(bytes.TrimRight(data, " \t\r\n"))
		return end, true
	}
	var ends []int // the lengths of the starts of data, whole characters
	for i := range data {
		if utf8.RuneStart(data[i]) && i > 0 {
			ends = append(ends, i)
		}
	}
	ends = append(ends, len(data))
	// same(len(data)) holds: the file fails so.
	i := sort.Search(len(ends), func(i int) bool { return same(ends[i]) })
	if i == len(ends) {
		i = len(ends) - 1
	}
	_, size := utf8.DecodeLastRune(data[:ends[i]])
	q := ends[i] - size
	if strings.HasPrefix(msg, "unknown anchor '") || slices.Contains(parserErrors, msg) {
		q = tokenStart(data, q)
	}
	return q, false
}

// errText is the error reading data, or "". A panic of yaml.v3 on a start
// of the file (none is known) is taken as another error: locating the
// error must not turn it into a crash.
func errText(data []byte) (text string) {
	defer func() {
		if recover() != nil {
			text = "panic"
		}
	}()
	if _, _, err := decode(data); err != nil {
		return err.Error()
	}
	return ""
}

// tokenStart returns the start of the token holding data[q], read back on
// its line.
func tokenStart(data []byte, q int) int {
	switch c := data[q]; {
	case data[lineStart(data, q)] == '%': // a directive
		return lineStart(data, q)
	case strings.IndexByte(",[]{}", c) >= 0:
		return q
	case c == ':':
		return keyStart(data, q)
	case c == '"' || c == '\'':
		if open := openingQuote(data, 0, q); open >= 0 {
			return open
		}
	}
	for q > 0 && strings.IndexByte(" \t\r\n,[]{}", data[q-1]) < 0 {
		q--
	}
	return q
}

// keyStart returns the start of the key before the ':' at colon: a token
// error there is about the key, which yaml.v3 only knows to be one on
// reading the ':'.
func keyStart(data []byte, colon int) int {
	ls := lineStart(data, colon)
	end := colon
	for end > ls && (data[end-1] == ' ' || data[end-1] == '\t') {
		end--
	}
	if end > ls && (data[end-1] == '"' || data[end-1] == '\'') {
		if open := openingQuote(data, ls, end-1); open >= 0 {
			return open
		}
	}
	i := skipBlanks(data, ls, end)
	for i+1 < end && (data[i] == '-' || data[i] == '?') && (data[i+1] == ' ' || data[i+1] == '\t') {
		i = skipBlanks(data, i+2, end)
	}
	if j := bytes.LastIndexAny(data[i:end], "{[,"); j >= 0 {
		i = skipBlanks(data, i+j+1, end)
	}
	if i >= end {
		return colon
	}
	return i
}

func skipBlanks(data []byte, i, end int) int {
	for i < end && (data[i] == ' ' || data[i] == '\t') {
		i++
	}
	return i
}

// lineStart returns the offset of the start of the line holding data[i].
func lineStart(data []byte, i int) int {
	return bytes.LastIndexAny(data[:i], "\r\n") + 1
}

// openingQuote returns the opening quote of the quoted string closed at
// data[q], searched back to from, or -1.
func openingQuote(data []byte, from, q int) int {
	quote := data[q]
	for i := q - 1; i >= from; i-- {
		if data[i] != quote {
			continue
		}
		if quote == '\'' {
			if i > from && data[i-1] == '\'' { // '' is a quote in the string
				i--
				continue
			}
			return i
		}
		backslashes := 0
		for j := i - 1; j >= from && data[j] == '\\'; j-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return i
		}
	}
	return -1
}
