package plan

import (
	"fmt"
	"strings"

	"campaignbot"
)

// FieldError is one problem found in a plan file: where it is and what is
// wrong.
type FieldError struct {
	File  string
	Line  int    // 1-based; 0 when the problem has no line
	Field string // path of the field, e.g. tasks[4].phase; may be empty
	Msg   string
}

// String formats e as "file:line: field: msg".
func (e FieldError) String() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in a plan file, in line order. Its code is
// campaignbot.EINVALID.
type Errors struct {
	List []FieldError
}

// Error prints one problem per line.
func (e *Errors) Error() string {
	lines := make([]string, len(e.List))
	for i, fe := range e.List {
		lines[i] = fe.String()
	}
	return strings.Join(lines, "\n")
}

// Unwrap gives the *campaignbot.Error that carries the code, so that
// campaignbot.ErrorCode reports EINVALID and campaignbot.ErrorMessage the list.
func (e *Errors) Unwrap() error {
	return &campaignbot.Error{Code: campaignbot.EINVALID, Message: e.Error()}
}
