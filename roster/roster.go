// Package roster reads and writes the roster CSV of SPEC §7: one person a
// line under the header name,department,roles,telegram,wecom,in_charge_of,
// in UTF-8 (with or without BOM) or in GBK as Chinese Excel saves it.
package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"campaignbot"
)

// Header is the roster file's header line.
const Header = "name,department,roles,telegram,wecom,in_charge_of"

// Limits on what a roster file may hold.
const (
	MaxFileSize  = 32 << 20 // bytes
	MaxNameRunes = 64       // person and department names
	MaxWeComLen  = 64
)

// columns are the header fields in order.
var columns = strings.Split(Header, ",")

var (
	telegramUserRE = regexp.MustCompile(`^[A-Za-z0-9_]{5,32}$`)
	telegramIDRE   = regexp.MustCompile(`^[0-9]{1,20}$`)
	wecomRE        = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,64}$`)
	// Excel shows long numbers such as Telegram ids as 1.23457E+09.
	scientificRE = regexp.MustCompile(`^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$`)
)

// LineError is one thing wrong with one line of a roster file.
type LineError struct {
	Line int
	Msg  string
}

// Errors lists everything wrong with a roster file. It unwraps to a
// *campaignbot.Error with code EINVALID, so campaignbot.ErrorCode reports it
// as bad input.
type Errors struct {
	File  string
	Lines []LineError
}

// Error lists the problems as FILE:LINE: message, one per line.
func (e *Errors) Error() string {
	var b strings.Builder
	for i, l := range e.Lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s:%d: %s", e.File, l.Line, l.Msg)
	}
	return b.String()
}

// Unwrap returns the error as a campaignbot error with code EINVALID.
func (e *Errors) Unwrap() error {
	return &campaignbot.Error{Code: campaignbot.EINVALID, Message: e.Error()}
}

func (e *Errors) add(line int, format string, args ...any) {
	e.Lines = append(e.Lines, LineError{Line: line, Msg: fmt.Sprintf(format, args...)})
}

// Parse reads a roster file; name is the file name used in error messages.
// Every error in the file is reported, as a single *Errors; when there is
// any, no entries are returned so that the caller imports nothing.
func Parse(name string, r io.Reader) ([]campaignbot.RosterEntry, error) {
	errs := &Errors{File: name}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read roster %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		errs.add(1, "file is larger than %d MB", MaxFileSize>>20)
		return nil, errs
	}
	text, gbk := decode(data)
	if strings.TrimSpace(text) == "" {
		errs.add(1, "the file is empty; expected the header %q", Header)
		return nil, errs
	}

	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	var (
		entries     []campaignbot.RosterEntry
		seen        = map[string]int{} // name → line
		seenAccount = map[string]int{} // "telegram:id" or "wecom:id" → line
		header      = true
	)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("read roster %s: %w", name, err)
			}
			errs.add(pe.StartLine, "%s", csvProblem(pe))
			if header {
				errs.add(pe.StartLine, "expected the header %q", Header)
				return nil, errs
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if header {
			header = false
			if !headerOK(rec) {
				errs.add(line, "the header is %q, expected %q", strings.Join(rec, ","), Header)
				// Reading lines under a wrong header would only add noise.
				return nil, errs
			}
			continue
		}
		if blank(rec) {
			continue
		}
		if gbk && slices.ContainsFunc(rec, func(f string) bool { return strings.ContainsRune(f, utf8.RuneError) }) {
			errs.add(line, "invalid characters: the file is neither UTF-8 nor GBK")
			continue
		}
		e, ok := parseLine(errs, line, rec)
		if prev, dup := seen[e.Name]; dup && e.Name != "" {
			errs.add(line, "duplicate name %q (also on line %d)", e.Name, prev)
			continue
		}
		seen[e.Name] = line
		// A chat account is one person's: the same Telegram or WeCom id on
		// two lines would let either bind as the other.
		if prev, dup := seenAccount["telegram:"+strings.ToLower(e.Telegram)]; dup && e.Telegram != "" {
			errs.add(line, "telegram %q is also on line %d", e.Telegram, prev)
			continue
		} else if e.Telegram != "" {
			seenAccount["telegram:"+strings.ToLower(e.Telegram)] = line
		}
		if prev, dup := seenAccount["wecom:"+e.WeCom]; dup && e.WeCom != "" {
			errs.add(line, "wecom %q is also on line %d", e.WeCom, prev)
			continue
		} else if e.WeCom != "" {
			seenAccount["wecom:"+e.WeCom] = line
		}
		if ok {
			entries = append(entries, e)
		}
	}
	if header {
		errs.add(1, "the file is empty; expected the header %q", Header)
	}
	if len(errs.Lines) == 0 && len(entries) == 0 {
		errs.add(1, "no people listed under the header")
	}
	if len(errs.Lines) > 0 {
		return nil, errs
	}
	return entries, nil
}

// decode returns data as text: UTF-8 (BOM removed) if it is valid UTF-8,
// otherwise decoded from GB18030, a superset of GBK; gbk reports the latter.
func decode(data []byte) (text string, gbk bool) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if utf8.Valid(data) {
		return string(data), false
	}
	// The decoder turns bytes that are not GB18030 into U+FFFD, which
	// Parse reports on the line where they occur.
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), string(utf8.RuneError)), true
	}
	return string(out), true
}

func csvProblem(pe *csv.ParseError) string {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return `a quote (") inside a field that is not quoted; put the field in quotes and double the quote`
	case errors.Is(pe.Err, csv.ErrQuote):
		return `a quoted field is not closed, or its closing quote is followed by other characters`
	}
	return pe.Err.Error()
}

func headerOK(rec []string) bool {
	if len(rec) != len(columns) {
		return false
	}
	for i, f := range rec {
		if strings.ToLower(strings.TrimSpace(f)) != columns[i] {
			return false
		}
	}
	return true
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// parseLine checks one record, adding what is wrong to errs.
func parseLine(errs *Errors, line int, rec []string) (campaignbot.RosterEntry, bool) {
	e := campaignbot.RosterEntry{Line: line}
	if len(rec) != len(columns) {
		errs.add(line, "%d fields, expected %d (%s)", len(rec), len(columns), Header)
		return e, false
	}
	n := len(errs.Lines)
	for i := range rec {
		rec[i] = unescapeFormula(strings.TrimSpace(rec[i]))
	}

	e.Name = rec[0]
	switch {
	case e.Name == "":
		errs.add(line, "name is empty")
	default:
		checkName(errs, line, "name", e.Name)
	}

	e.Departments = splitList(rec[1])
	if len(e.Departments) == 0 {
		errs.add(line, "department is empty")
	}
	for _, d := range e.Departments {
		checkName(errs, line, "department", d)
	}

	for _, s := range splitRoles(rec[2]) {
		r, ok := campaignbot.ParseRole(s)
		if !ok {
			errs.add(line, "unknown role %q (roles: %s)", s, strings.Join(campaignbot.RoleWords(), ", "))
			continue
		}
		if !slices.Contains(e.Roles, r) {
			e.Roles = append(e.Roles, r)
		}
	}
	if len(splitRoles(rec[2])) == 0 {
		errs.add(line, "roles is empty; at least one role is required")
	}

	if tg := strings.TrimPrefix(rec[3], "@"); tg != "" {
		switch {
		case scientificRE.MatchString(tg):
			errs.add(line, "telegram %q looks like a number Excel rewrote in scientific notation; format the column as text and type the id again", rec[3])
		case telegramIDRE.MatchString(tg):
			if id, err := strconv.ParseInt(tg, 10, 64); err != nil || id <= 0 {
				errs.add(line, "telegram id %q is out of range", tg)
			}
		case !telegramUserRE.MatchString(tg):
			errs.add(line, "telegram %q is neither a user name (5–32 letters, digits or _) nor a numeric id", rec[3])
		}
		e.Telegram = tg
	}

	if wc := rec[4]; wc != "" {
		if !wecomRE.MatchString(wc) {
			errs.add(line, "wecom %q is not a WeCom UserID (1–%d letters, digits, _ . @ -)", wc, MaxWeComLen)
		}
		e.WeCom = wc
	}

	e.InChargeOf = splitList(rec[5])
	for _, d := range e.InChargeOf {
		checkName(errs, line, "in_charge_of department", d)
	}
	leads := slices.Contains(e.Roles, campaignbot.RoleLeader) || slices.Contains(e.Roles, campaignbot.RoleHead)
	if len(e.InChargeOf) > 0 && !leads && len(e.Roles) > 0 {
		errs.add(line, "in_charge_of is only for leaders and heads, but %s is %s", e.Name, roleList(e.Roles))
	}
	// A leader is in charge of their own department unless told otherwise.
	if len(e.InChargeOf) == 0 && slices.Contains(e.Roles, campaignbot.RoleLeader) && len(e.Departments) > 0 {
		e.InChargeOf = []string{e.Departments[0]}
	}
	return e, len(errs.Lines) == n
}

func checkName(errs *Errors, line int, what, s string) {
	if n := utf8.RuneCountInString(s); n > MaxNameRunes {
		errs.add(line, "%s is %d characters long, at most %d are allowed", what, n, MaxNameRunes)
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }) >= 0 {
		errs.add(line, "%s %q contains control or invalid characters", what, s)
	}
}

func roleList(rs []campaignbot.Role) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ";")
}

// splitList splits a ;-separated list (also the full-width ；), dropping
// empty items.
func splitList(s string) []string {
	return split(s, func(r rune) bool { return r == ';' || r == '；' })
}

// splitRoles also accepts commas and the Chinese enumeration comma, which
// people type inside a quoted roles field.
func splitRoles(s string) []string {
	return split(s, func(r rune) bool { return strings.ContainsRune(";；,，、", r) })
}

func split(s string, sep func(rune) bool) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, sep) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
