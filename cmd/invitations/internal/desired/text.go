package desired

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// This file holds what the parser checks in the text itself: the encoding,
// control characters, and how an offset in the text becomes a line and a
// column as yaml.v3 counts them.

// isControl reports whether r is a control character: C0 (below U+0020,
// tab and line breaks included), DEL or C1 (U+0080 to U+009F). None may be
// in a string of the file, where it could rewrite a terminal that prints
// it; messages show it as U+XXXX, never as itself.
func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f)
}

// utf8Text returns data as UTF-8 without a byte order mark. yaml.v3 reads
// UTF-16 with a byte order mark too: such a file is converted, so that
// offsets in the result are offsets in what yaml.v3 reads.
func utf8Text(data []byte) []byte {
	le := bytes.HasPrefix(data, []byte{0xff, 0xfe})
	if !le && !bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	}
	units := make([]uint16, 0, len(data)/2)
	for i := 2; i+1 < len(data); i += 2 {
		if le {
			units = append(units, uint16(data[i])|uint16(data[i+1])<<8)
		} else {
			units = append(units, uint16(data[i])<<8|uint16(data[i+1]))
		}
	}
	var out bytes.Buffer
	for _, r := range utf16.Decode(units) {
		out.WriteRune(r)
	}
	return out.Bytes()
}

// position returns the line and column (from 1) of the byte offset off in
// data, counted as yaml.v3 counts them: a column is a character, a tab is
// one, and CR LF, CR, LF, NEL, U+2028 and U+2029 end a line.
func position(data []byte, off int) (line, column int) {
	line, column = 1, 1
	for i := 0; i < off && i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == '\r' && i+1 < len(data) && data[i+1] == '\n':
			size = 2
			fallthrough
		case r == '\r' || r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029:
			line, column = line+1, 1
		default:
			column++
		}
		i += size
	}
	return line, column
}

// checkText refuses a file that is not UTF-8, and a control character
// written as itself anywhere in the file (yaml.v3 refuses most of them
// without saying where; a tab, CR or LF it reads is checked in the strings
// by checkControls). The error names the exact line and column, and the
// field when the rest of the file can be read.
func checkText(path string, data []byte) error {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			line, col := position(data, i)
			return &Error{File: path, Line: line, Column: col, Msg: fmt.Sprintf("byte 0x%02X is not UTF-8: save the file as UTF-8 text", data[i])}
		}
		if isControl(r) && r != '\t' && r != '\n' && r != '\r' {
			line, col := position(data, i)
			field, key := fieldOfRaw(data, i, size)
			msg := fmt.Sprintf("contains a control character (U+%04X): remove it", r)
			switch {
			case field == "":
				msg = "the file " + msg
			case key:
				msg = "the field name " + msg
			}
			return &Error{File: path, Line: line, Column: col, Field: field, Msg: msg}
		}
		i += size
	}
	return nil
}

// fieldOfRaw names the field holding the control character
// data[off:off+size], and whether it is in the field's name: every control
// character is replaced by a letter, the one at off by a marker the file
// does not hold, and the field is the string holding the marker. It is ""
// if the file cannot be read so, or if the character is in no string (a
// comment).
func fieldOfRaw(data []byte, off, size int) (field string, key bool) {
	marker := '\ue000'
	for bytes.ContainsRune(data, marker) {
		marker++
	}
	var text bytes.Buffer
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case i == off:
			text.WriteRune(marker)
		case isControl(r) && r != '\t' && r != '\n' && r != '\r':
			text.WriteByte('x')
		default:
			text.Write(data[i : i+n])
		}
		i += n
	}
	doc, _, err := decode(text.Bytes())
	if err != nil || doc == nil {
		return "", false
	}
	var found *yaml.Node
	_ = walk(doc, "", func(n *yaml.Node, _ string, _ bool) error {
		if found == nil && strings.ContainsRune(n.Value, marker) {
			found = n
		}
		return nil
	})
	if found == nil {
		return "", false
	}
	// A key is part of the path: it is named with the character, quoted.
	found.Value = strings.ReplaceAll(found.Value, string(marker), string(data[off:off+size]))
	_ = walk(doc, "", func(n *yaml.Node, f string, k bool) error {
		if n == found {
			field, key = f, k
		}
		return nil
	})
	return field, key
}

// checkControls refuses a control character in any string of the document,
// keys included, wherever it is (a place the parser does not read too).
// The error points at the string's start; the message says which
// character of the string it is.
func checkControls(path string, doc *yaml.Node) error {
	return walk(doc, "", func(n *yaml.Node, field string, key bool) error {
		for i, r := range []rune(n.Value) {
			if !isControl(r) {
				continue
			}
			msg := fmt.Sprintf("contains a control character (U+%04X) at character %d of the value: remove it", r, i+1)
			if key {
				msg = fmt.Sprintf("the field name contains a control character (U+%04X): remove it", r)
			}
			return &Error{File: path, Line: n.Line, Column: n.Column, Field: field, Msg: msg}
		}
		return nil
	})
}

// walk calls fn on every scalar of n in file order, keys included, with its
// field path as the parser names it (people[0].box[1].role; a key holding a
// control character is quoted, so that the path prints safely). Aliases
// are not followed: their anchor is walked where it is defined.
func walk(n *yaml.Node, field string, fn func(n *yaml.Node, field string, key bool) error) error {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if err := walk(c, field, fn); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if err := walk(c, fmt.Sprintf("%s[%d]", field, i), fn); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			name := join(field, "?")
			if k.Kind == yaml.ScalarNode {
				name = join(field, safeKey(k.Value))
			}
			if k.Kind == yaml.ScalarNode {
				if err := fn(k, name, true); err != nil {
					return err
				}
			} else if err := walk(k, name, fn); err != nil {
				return err
			}
			if err := walk(v, name, fn); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		return fn(n, field, false)
	}
	return nil
}

// safeKey is key as a field path names it, quoted if it holds a control
// character.
func safeKey(key string) string {
	if strings.IndexFunc(key, isControl) >= 0 {
		return strconv.QuoteToASCII(key)
	}
	return key
}
