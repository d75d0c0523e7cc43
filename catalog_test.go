package campaignbot

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestCatalog checks every entry: both languages are there and take the
// same arguments, argument by argument (%s, %q and %v count as one kind).
func TestCatalog(t *testing.T) {
	if len(catalog) < 400 {
		t.Errorf("the catalog has %d entries", len(catalog))
	}
	for k, m := range catalog {
		if m.zh == "" || m.en == "" {
			t.Errorf("%s: zh %q, en %q", k, m.zh, m.en)
			continue
		}
		zh, en := formatArgs(m.zh), formatArgs(m.en)
		if zh != en {
			t.Errorf("%s: zh takes %s, en takes %s", k, zh, en)
		}
	}
}

// formatArgs describes the arguments format f takes, in order: "1:s 2:d".
func formatArgs(f string) string {
	args := map[int]byte{}
	n := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		for i < len(f) && strings.IndexByte("+-# 0", f[i]) >= 0 {
			i++
		}
		if i < len(f) && f[i] == '[' {
			j := strings.IndexByte(f[i:], ']')
			n, _ = strconv.Atoi(f[i+1 : i+j])
			n--
			i += j + 1
		}
		for i < len(f) && (f[i] == '.' || f[i] >= '0' && f[i] <= '9') {
			i++
		}
		if i >= len(f) || f[i] == '%' {
			continue
		}
		verb := f[i]
		if verb == 'q' || verb == 'v' {
			verb = 's'
		}
		n++
		args[n] = verb
	}
	var b strings.Builder
	for i := 1; i <= len(args); i++ {
		b.WriteString(strconv.Itoa(i) + ":" + string(args[i]) + " ")
	}
	return strings.TrimSpace(b.String())
}

func TestFormatArgs(t *testing.T) {
	for _, tt := range []struct{ f, want string }{
		{"no verbs, 100%%", ""},
		{"%s and %d", "1:s 2:d"},
		{"%[3]s, %[2]d days %[1]q", "1:s 2:d 3:s"},
		{"%s %s %[2]s, %[3]s", "1:s 2:s 3:s"},
		{"%.5f, %-10s", "1:f 2:s"},
	} {
		if got := formatArgs(tt.f); got != tt.want {
			t.Errorf("formatArgs(%q) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

// keyLiteral is what a catalog key or key prefix looks like in the code;
// fileName is a file's name, which may look like one ("plan.yaml").
var (
	keyLiteral = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+\.?$`)
	fileName   = regexp.MustCompile(`\.(yaml|yml|json|db|xlsx|csv|sql|go|md|png|txt)$`)
)

// TestCatalogKeysUsed reads every program file of the module: each string
// literal that looks like a key of one of the catalog's areas must be in
// the catalog; one ending in "." is a prefix that must start some key.
func TestCatalogKeysUsed(t *testing.T) {
	areas := map[string]bool{}
	for k := range catalog {
		area, _, _ := strings.Cut(k, ".")
		areas[area] = true
	}
	n := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "demo") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || path == "catalog.go" {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(x ast.Node) bool {
			lit, ok := x.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !keyLiteral.MatchString(s) || fileName.MatchString(s) {
				return true
			}
			if area, _, _ := strings.Cut(s, "."); !areas[area] {
				return true
			}
			n++
			if prefix, ok := strings.CutSuffix(s, "."); ok {
				if !hasKeyPrefix(prefix + ".") {
					t.Errorf("%s: no key starts with %q", path, s)
				}
			} else if _, ok := catalog[s]; !ok {
				t.Errorf("%s: key %q is not in the catalog", path, s)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 400 {
		t.Errorf("found only %d uses of the catalog", n)
	}
}

// TestCatalogDomainKeys checks the keys the engine builds from domain
// values: "err."+code, "pstatus."+status and the like.
func TestCatalogDomainKeys(t *testing.T) {
	var keys []string
	for _, c := range []string{EINVALID, ENOTFOUND, EFORBIDDEN, ECONFLICT, EINTERNAL} {
		keys = append(keys, "err."+c)
	}
	for _, s := range []ProblemStatus{ProblemNew, ProblemClaimed, ProblemResolved, ProblemClosed} {
		keys = append(keys, "pstatus."+string(s))
	}
	for _, k := range []ProblemEventKind{EventFiled, EventClaimed, EventAssigned, EventProgress, EventResolved, EventConfirm, EventReopened} {
		keys = append(keys, "pevent."+string(k))
	}
	for _, k := range []ProblemEventKind{EventClaimed, EventAssigned, EventProgress, EventResolved, EventConfirm, EventReopened} {
		keys = append(keys, "problem.wrong_state."+string(k))
	}
	for _, s := range []LedgerStatus{LedgerOpen, LedgerInProgress, LedgerDone} {
		keys = append(keys, "lstatus."+string(s))
	}
	for _, s := range []ReviewState{ReviewSubmitted, ReviewReturned, ReviewAccepted} {
		keys = append(keys, "state."+string(s))
	}
	for _, s := range []ReviewState{ReviewReturned, ReviewAccepted} {
		keys = append(keys, "decision."+string(s))
	}
	for _, c := range []string{"claim", "assign", "progress", "resolve", "confirm", "reopen", "problems"} {
		keys = append(keys, "problem.usage."+c)
	}
	for _, k := range keys {
		if _, ok := catalog[k]; !ok {
			t.Errorf("key %q is not in the catalog", k)
		}
	}
}

func hasKeyPrefix(prefix string) bool {
	for k := range catalog {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

func TestT(t *testing.T) {
	for _, tt := range []struct{ lang, key, want string }{
		{"zh", "err.too_long", "内容太长（3 字），最多 2 字。"},
		{"", "err.too_long", "内容太长（3 字），最多 2 字。"},
		{"en", "err.too_long", "That is too long (3 characters); the limit is 2."},
		{"en-US", "err.too_long", "That is too long (3 characters); the limit is 2."},
		{"en", "no.such_key", "no.such_key"},
	} {
		if got := T(tt.lang, tt.key, 3, 2); got != tt.want {
			t.Errorf("T(%q, %q) = %q, want %q", tt.lang, tt.key, got, tt.want)
		}
	}
}

// TestCatalogChinese checks the Chinese texts: people are addressed with
// 您, never 你 (SPEC §4), and punctuation next to Chinese is Chinese
// (，。：；！？（）“”), while commands, codes, dates, numbers, file names
// and English words keep theirs.
func TestCatalogChinese(t *testing.T) {
	for k, m := range catalog {
		if strings.Contains(m.zh, "你") {
			t.Errorf("%s: says 你, not 您: %s", k, m.zh)
		}
		if bad := asciiPunctInChinese(m.zh); bad != "" {
			t.Errorf("%s: ASCII punctuation in Chinese text %s: %s", k, bad, m.zh)
		}
	}
}

// asciiPunctInChinese returns the first ASCII punctuation mark that sits in
// Chinese text, quoted with what surrounds it, or "". A mark counts when a
// Chinese character is next to it (skipping spaces and a format verb), or
// when it is a bracket whose contents are Chinese.
func asciiPunctInChinese(s string) string {
	rs := []rune(s)
	for i, r := range rs {
		if !strings.ContainsRune(",.:;!?()", r) {
			continue
		}
		if r == '.' && i > 0 && i+1 < len(rs) && isWordRune(rs[i-1]) && isWordRune(rs[i+1]) {
			continue // 1.5, plan.yaml, 12.20
		}
		if r == ':' && i > 0 && i+1 < len(rs) && isDigit(rs[i-1]) && isDigit(rs[i+1]) {
			continue // 08:30
		}
		if r == '(' || r == ')' {
			if bracketHasChinese(rs, i) {
				return quoteAround(rs, i)
			}
			continue
		}
		if isHan(neighbour(rs, i, -1)) || isHan(neighbour(rs, i, +1)) {
			return quoteAround(rs, i)
		}
	}
	return ""
}

// neighbour is the first rune next to rs[i] in direction dir that is
// neither a space nor a format verb such as %s (which stands for a value,
// not text), or 0.
func neighbour(rs []rune, i, dir int) rune {
	for j := i + dir; j >= 0 && j < len(rs); j += dir {
		switch {
		case rs[j] == ' ':
		case dir < 0 && j >= 1 && rs[j-1] == '%' && strings.ContainsRune("sdqvf", rs[j]):
			j--
		case dir > 0 && j+1 < len(rs) && rs[j] == '%' && strings.ContainsRune("sdqvf", rs[j+1]):
			j++
		default:
			return rs[j]
		}
	}
	return 0
}

// bracketHasChinese reports whether the bracket at rs[i] encloses Chinese.
func bracketHasChinese(rs []rune, i int) bool {
	if rs[i] == '(' {
		for j := i + 1; j < len(rs) && rs[j] != ')' && rs[j] != '\n'; j++ {
			if isHan(rs[j]) {
				return true
			}
		}
		return false
	}
	for j := i - 1; j >= 0 && rs[j] != '(' && rs[j] != '\n'; j-- {
		if isHan(rs[j]) {
			return true
		}
	}
	return false
}

func isHan(r rune) bool   { return r >= 0x4e00 && r <= 0x9fff || r >= 0x3400 && r <= 0x4dbf }
func isDigit(r rune) bool { return r >= '0' && r <= '9' }
func isWordRune(r rune) bool {
	return isDigit(r) || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '%'
}

func quoteAround(rs []rune, i int) string {
	return strconv.Quote(string(rs[max(0, i-6):min(len(rs), i+7)]))
}

func TestAsciiPunctInChinese(t *testing.T) {
	for _, tt := range []struct {
		s   string
		bad bool
	}{
		{"已提交。", false},
		{"已提交.", true},
		{"您好,请回复", true},
		{"用法：/leave 2026-03-10", false},
		{"编辑 plan.yaml 后重启", false},
		{"截止 08:30，共 1.5 天", false},
		{"任务 %s: %d 人", true},
		{"请发送 (文字或照片)", true},
		{"发送 /start CODE (one-time)", false},
		{"（文字或照片）", false},
		{"%s, %s", false},
	} {
		if got := asciiPunctInChinese(tt.s) != ""; got != tt.bad {
			t.Errorf("asciiPunctInChinese(%q) = %v, want %v", tt.s, got, tt.bad)
		}
	}
}
