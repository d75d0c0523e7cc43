package roster

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/width"

	"campaignbot"
)

// Option changes how Write and Table print people.
type Option func(*options)

type options struct {
	depts map[int64]string
	bound map[int64][]campaignbot.Platform // nil: binding status unknown
}

// WithBindings gives the platforms each person is bound on, so that Table
// shows who can be reached where and who has not bound at all.
func WithBindings(bound map[int64][]campaignbot.Platform) Option {
	return func(o *options) { o.bound = bound }
}

// WithDepartments gives the departments, so that in_charge_of can name the
// departments nobody in the list belongs to. Without it, names come from
// the people's own departments and an unknown id prints as #ID.
func WithDepartments(depts []*campaignbot.Department) Option {
	return func(o *options) {
		for _, d := range depts {
			o.depts[d.ID] = d.Name
		}
	}
}

func newOptions(people []*campaignbot.Person, opts []Option) *options {
	o := &options{depts: map[int64]string{}}
	for _, p := range people {
		if p.DepartmentID != 0 && p.Department != "" {
			o.depts[p.DepartmentID] = p.Department
		}
	}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

func (o *options) inChargeOf(p *campaignbot.Person) []string {
	names := make([]string, 0, len(p.InChargeOf))
	for _, id := range p.InChargeOf {
		n, ok := o.depts[id]
		if !ok {
			n = "#" + strconv.FormatInt(id, 10)
		}
		names = append(names, n)
	}
	return names
}

// Write writes people as a roster file that Parse reads back: UTF-8 with a
// BOM, so that Excel opens it with the right encoding, and CRLF line ends.
// A cell that a spreadsheet would take for a formula is written with a
// leading single quote (escapeFormula).
func Write(w io.Writer, people []*campaignbot.Person, opts ...Option) error {
	o := newOptions(people, opts)
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return fmt.Errorf("write roster: %w", err)
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	rows := [][]string{columns}
	for _, p := range people {
		row := []string{
			p.ExternalID,
			p.Name,
			p.Department,
			roleList(p.RoleList()),
			p.Telegram,
			p.WeCom,
			strings.Join(o.inChargeOf(p), ";"),
			p.Team,
		}
		for i := range row {
			row[i] = escapeFormula(row[i])
		}
		rows = append(rows, row)
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write roster: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write roster: %w", err)
	}
	return nil
}

// formulaStart are the characters with which a spreadsheet (Excel, WPS,
// LibreOffice) takes a cell for a formula, after OWASP's "CSV Injection".
const formulaStart = "=+-@\t\r"

// escapeFormula puts a single quote before a cell a spreadsheet would run
// as a formula (a name "=HYPERLINK(…)" imported from a roster): the
// spreadsheet then shows the text as typed, and Parse removes the quote
// again, so a roster written and read back is unchanged.
func escapeFormula(cell string) string {
	if cell != "" && strings.ContainsRune(formulaStart, rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// unescapeFormula undoes escapeFormula.
func unescapeFormula(cell string) string {
	if len(cell) > 1 && cell[0] == '\'' && strings.ContainsRune(formulaStart, rune(cell[1])) {
		return cell[1:]
	}
	return cell
}

// Table writes people as an aligned text listing, with headers and role
// names in lang ("en" or Chinese).
func Table(w io.Writer, people []*campaignbot.Person, lang string, opts ...Option) error {
	o := newOptions(people, opts)
	var head []string
	keys := []string{"roster.id", "roster.name", "roster.department", "roster.roles", "roster.telegram", "roster.wecom", "roster.in_charge_of", "roster.team"}
	if o.bound != nil {
		keys = append(keys, "roster.bound")
	}
	keys = append(keys, "roster.unreachable")
	for _, k := range keys {
		head = append(head, campaignbot.T(lang, k))
	}
	sep, none := campaignbot.T(lang, "list.sep"), campaignbot.T(lang, "roster.none")
	rows := [][]string{head}
	for _, p := range people {
		roles := make([]string, 0, len(p.Roles))
		for _, r := range p.RoleList() {
			roles = append(roles, r.Title(lang))
		}
		unreachable := make([]string, 0, len(p.Unreachable))
		for _, pl := range p.Unreachable {
			unreachable = append(unreachable, string(pl))
		}
		row := []string{
			p.ExternalID, p.Name, p.Department, strings.Join(roles, sep), p.Telegram, p.WeCom,
			strings.Join(o.inChargeOf(p), sep), p.Team,
		}
		if o.bound != nil {
			bound := campaignbot.T(lang, "roster.not_bound")
			if pls := o.bound[p.ID]; len(pls) > 0 {
				names := make([]string, len(pls))
				for i, pl := range pls {
					names[i] = string(pl)
				}
				bound = strings.Join(names, sep)
			}
			row = append(row, bound)
		}
		row = append(row, strings.Join(unreachable, sep))
		for i := range row {
			if row[i] == "" {
				row[i] = none
			}
		}
		rows = append(rows, row)
	}
	widths := make([]int, len(head))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], DisplayWidth(c))
		}
	}
	bw := bufio.NewWriter(w)
	for _, row := range rows {
		var b strings.Builder
		for i, c := range row {
			b.WriteString(c)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-DisplayWidth(c)+2))
			}
		}
		b.WriteByte('\n')
		if _, err := bw.WriteString(b.String()); err != nil {
			return fmt.Errorf("write roster table: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write roster table: %w", err)
	}
	return nil
}

// DisplayWidth is how many terminal (or spreadsheet) columns s takes: East
// Asian wide and full-width characters count two, others one.
func DisplayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
