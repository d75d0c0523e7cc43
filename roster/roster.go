// Package roster reads and writes the roster file of SPEC §7: one person a
// row under the header id,name,department,roles,telegram,wecom,in_charge_of,team
// or its Chinese 工号,姓名,科室,角色,Telegram,企业微信,分管科室,帮扶组 (id, team,
// telegram, wecom and in_charge_of optional, in any order), as CSV in UTF-8
// (with or without BOM) or GBK as Chinese Excel saves it, or as XLSX.
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

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"campaignbot"
)

// Header is the roster file's header line, as Write writes it.
const Header = "id,name,department,roles,telegram,wecom,in_charge_of,team"

// HeaderZh is the same header in Chinese, which Parse reads as well.
const HeaderZh = "工号,姓名,科室,角色,Telegram,企业微信,分管科室,帮扶组"

// Limits on what a roster file may hold.
const (
	MaxFileSize  = 32 << 20 // bytes
	MaxNameRunes = 64       // person and department names
	MaxWeComLen  = 64
	MaxIDLen     = 64
)

// columns are the header fields in order.
var columns = strings.Split(Header, ",")

// Column indexes into a record once Parse has put it in Header's order.
const (
	colID = iota
	colName
	colDepartment
	colRoles
	colTelegram
	colWeCom
	colInChargeOf
	colTeam
)

// columnNames maps every accepted header word to its column.
var columnNames = func() map[string]int {
	m := map[string]int{}
	for i, c := range columns {
		m[c] = i
	}
	for i, c := range strings.Split(HeaderZh, ",") {
		m[strings.ToLower(c)] = i
	}
	for w, i := range map[string]int{"编号": colID, "人员编号": colID, "名字": colName, "部门": colDepartment,
		"企业微信账号": colWeCom, "userid": colWeCom, "帮扶小组": colTeam, "分管部门": colInChargeOf} {
		m[w] = i
	}
	return m
}()

// required are the columns a header must have.
var required = []int{colName, colDepartment, colRoles}

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

// record is one row of the file and the line (or spreadsheet row) it is on.
type record struct {
	line   int
	fields []string
}

// Signatures of the binary files people save a roster as by mistake.
var (
	zipMagic = []byte("PK\x03\x04")                       // XLSX (and any zip)
	oleMagic = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") // Excel 97–2003 .xls, .doc
)

// Parse reads a roster file, CSV or XLSX; name is the file name used in
// error messages. Every error in the file is reported, as a single
// *Errors; when there is any, no entries are returned so that the caller
// imports nothing.
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
	var (
		recs      []record
		gbk, xlsx bool
	)
	switch {
	case bytes.HasPrefix(data, zipMagic):
		xlsx = true
		if recs, err = xlsxRecords(data); err != nil {
			errs.add(1, "not a readable XLSX workbook (%v); save the roster again as .xlsx or as CSV UTF-8", err)
			return nil, errs
		}
	case bytes.HasPrefix(data, oleMagic):
		errs.add(1, "an Excel 97–2003 (.xls) or other binary file, not a roster; save it as .xlsx or as CSV UTF-8 (逗号分隔)")
		return nil, errs
	case bytes.IndexByte(data, 0) >= 0:
		errs.add(1, "a binary file, not a roster; save it as .xlsx or as CSV UTF-8 (逗号分隔)")
		return nil, errs
	default:
		var text string
		text, gbk = decode(data)
		if recs, err = csvRecords(errs, text); err != nil {
			return nil, fmt.Errorf("read roster %s: %w", name, err)
		}
		if len(errs.Lines) > 0 && len(recs) == 0 {
			return nil, errs
		}
	}
	return parseRecords(errs, recs, gbk, xlsx)
}

// csvRecords splits text into records; a line that is not CSV is added to
// errs. When the header itself is broken, it returns no records.
func csvRecords(errs *Errors, text string) ([]record, error) {
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	var recs []record
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, err
			}
			errs.add(pe.StartLine, "%s", csvProblem(pe))
			if len(recs) == 0 {
				errs.add(pe.StartLine, "expected the header %q", Header)
				return nil, nil
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		recs = append(recs, record{line: line, fields: rec})
	}
}

// xlsxRecords reads the first sheet of an XLSX workbook; a record's line
// is its spreadsheet row.
func xlsxRecords(data []byte) ([]record, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errors.New("no sheet")
	}
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: false})
	if err != nil {
		return nil, err
	}
	recs := make([]record, 0, len(rows))
	for i, row := range rows {
		recs = append(recs, record{line: i + 1, fields: row})
	}
	return recs, nil
}

// parseRecords checks the header and every row.
func parseRecords(errs *Errors, recs []record, gbk, xlsx bool) ([]campaignbot.RosterEntry, error) {
	var (
		entries     []campaignbot.RosterEntry
		seen        = map[string]int{} // key → line
		seenAccount = map[string]int{} // "telegram:id" or "wecom:id" → line
		order       []int              // file column → Header column
		headerLine  string
	)
	for _, rec := range recs {
		line := rec.line
		if order == nil {
			if blank(rec.fields) {
				continue
			}
			var msg string
			headerLine = strings.Join(rec.fields, ",")
			if order, msg = headerOrder(rec.fields); msg != "" {
				errs.add(line, "%s", msg)
				// Reading lines under a wrong header would only add noise.
				return nil, errs
			}
			continue
		}
		if blank(rec.fields) {
			continue
		}
		if gbk && slices.ContainsFunc(rec.fields, func(f string) bool { return strings.ContainsRune(f, utf8.RuneError) }) {
			errs.add(line, "invalid characters: the file is neither UTF-8 nor GBK")
			continue
		}
		// A spreadsheet row ends at its last filled cell; a CSV line has
		// every field of the header.
		if n := len(rec.fields); n > len(order) || (!xlsx && n != len(order)) {
			errs.add(line, "%d fields, expected %d (%s)", n, len(order), headerLine)
			continue
		}
		fields := make([]string, len(columns))
		for i, col := range order {
			if i < len(rec.fields) {
				fields[col] = rec.fields[i]
			}
		}
		e, ok := parseLine(errs, line, fields)
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
		key := Key(&e)
		if prev, dup := seen[key]; dup && e.Name != "" {
			if e.ID != "" {
				errs.add(line, "duplicate id %q (also on line %d)", e.ID, prev)
			} else {
				errs.add(line, "duplicate name %q (also on line %d); give each an id (工号) to list two people of one name", e.Name, prev)
			}
			continue
		}
		seen[key] = line
		if ok {
			entries = append(entries, e)
		}
	}
	if order == nil {
		errs.add(1, "the file is empty; expected the header %q or %q", Header, HeaderZh)
	}
	if len(errs.Lines) == 0 && len(entries) == 0 {
		errs.add(1, "no people listed under the header")
	}
	if len(errs.Lines) > 0 {
		return nil, errs
	}
	return entries, nil
}

// Key is what identifies the person of an entry (SPEC §7): the id, else
// the WeCom UserID, else the name.
func Key(e *campaignbot.RosterEntry) string {
	switch {
	case e.ID != "":
		return "id:" + e.ID
	case e.WeCom != "":
		return "wecom:" + e.WeCom
	}
	return "name:" + e.Name
}

// headerOrder maps the header's columns to Header's, or says what is wrong.
func headerOrder(rec []string) ([]int, string) {
	order := make([]int, len(rec))
	have := map[int]bool{}
	for i, f := range rec {
		w := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(f, "\uFEFF")))
		col, ok := columnNames[w]
		if !ok || have[col] {
			return nil, fmt.Sprintf("the header is %q, expected %q or %q", strings.Join(rec, ","), Header, HeaderZh)
		}
		have[col] = true
		order[i] = col
	}
	for _, col := range required {
		if !have[col] {
			return nil, fmt.Sprintf("the header is %q and has no %s column, expected %q or %q",
				strings.Join(rec, ","), columns[col], Header, HeaderZh)
		}
	}
	return order, ""
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
	n := len(errs.Lines)
	for i := range rec {
		rec[i] = unescapeFormula(strings.TrimSpace(rec[i]))
	}

	if e.ID = rec[colID]; e.ID != "" {
		switch {
		case scientificRE.MatchString(e.ID):
			errs.add(line, "id %q looks like a number Excel rewrote in scientific notation; format the column as text and type the id again", e.ID)
		case utf8.RuneCountInString(e.ID) > MaxIDLen:
			errs.add(line, "id is %d characters long, at most %d are allowed", utf8.RuneCountInString(e.ID), MaxIDLen)
		}
		checkName(errs, line, "id", e.ID)
	}
	e.Team = rec[colTeam]
	checkName(errs, line, "team", e.Team)

	e.Name = rec[colName]
	switch {
	case e.Name == "":
		errs.add(line, "name is empty")
	default:
		checkName(errs, line, "name", e.Name)
	}

	e.Departments = splitList(rec[colDepartment])
	if len(e.Departments) == 0 {
		errs.add(line, "department is empty")
	}
	for _, d := range e.Departments {
		checkName(errs, line, "department", d)
	}

	for _, s := range splitRoles(rec[colRoles]) {
		r, ok := campaignbot.ParseRole(s)
		if !ok {
			errs.add(line, "unknown role %q (roles: %s)", s, strings.Join(campaignbot.RoleWords(), ", "))
			continue
		}
		if !slices.Contains(e.Roles, r) {
			e.Roles = append(e.Roles, r)
		}
	}
	if len(splitRoles(rec[colRoles])) == 0 {
		errs.add(line, "roles is empty; at least one role is required")
	}

	if tg := strings.TrimPrefix(rec[colTelegram], "@"); tg != "" {
		switch {
		case scientificRE.MatchString(tg):
			errs.add(line, "telegram %q looks like a number Excel rewrote in scientific notation; format the column as text and type the id again", rec[colTelegram])
		case telegramIDRE.MatchString(tg):
			if id, err := strconv.ParseInt(tg, 10, 64); err != nil || id <= 0 {
				errs.add(line, "telegram id %q is out of range", tg)
			}
		case !telegramUserRE.MatchString(tg):
			errs.add(line, "telegram %q is neither a user name (5–32 letters, digits or _) nor a numeric id", rec[colTelegram])
		}
		e.Telegram = tg
	}

	if wc := rec[colWeCom]; wc != "" {
		if !wecomRE.MatchString(wc) {
			errs.add(line, "wecom %q is not a WeCom UserID (1–%d letters, digits, _ . @ -)", wc, MaxWeComLen)
		}
		e.WeCom = wc
	}

	e.InChargeOf = splitList(rec[colInChargeOf])
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
