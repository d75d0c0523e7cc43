package bot

import (
	"strings"
	"testing"
)

func TestLineDiff(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       string // ops and lines, one per line
	}{
		{"equal", "x\ny", "x\ny", "  x|  y"},
		{"empty to text", "", "x", "+ x"},
		{"text to empty", "x\ny", "", "- x|- y"},
		{"changed middle", "a\nb\nc", "a\nB\nc", "  a|- b|+ B|  c"},
		{"insert and delete", "a\nb\nc\nd", "a\nc\nd\ne", "  a|- b|  c|  d|+ e"},
		{"crlf", "a\r\nb\r\n", "a\nb", "  a|  b"},
		{"moved line", "a\nb\nc", "b\nc\na", "- a|  b|  c|+ a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, l := range lineDiff(tt.a, tt.b) {
				got = append(got, string(l.op)+" "+l.text)
			}
			if got := strings.Join(got, "|"); got != tt.want {
				t.Errorf("lineDiff(%q, %q) = %q, want %q", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestRenderDiff(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7"
	b := "1\n2\n3\n4x\n5\n6\n7"
	got := renderDiff(lineDiff(a, b), 1)
	want := "  …\n  3\n- 4\n+ 4x\n  5\n  …"
	if got != want {
		t.Errorf("renderDiff = %q, want %q", got, want)
	}
	if got := renderDiff(lineDiff(a, a), 1); got != "" {
		t.Errorf("renderDiff of no change = %q, want empty", got)
	}
}

func TestLineDiffLargeFallsBack(t *testing.T) {
	var a, b strings.Builder
	for i := range 3000 {
		a.WriteString("a" + strings.Repeat("x", i%7) + "\n")
		b.WriteString("b" + strings.Repeat("y", i%5) + "\n")
	}
	lines := lineDiff(a.String(), b.String())
	if got, want := len(lines), 6000; got != want {
		t.Fatalf("%d lines, want %d", got, want)
	}
	if lines[0].op != diffDel || lines[5999].op != diffAdd {
		t.Errorf("first %c, last %c; want - then +", lines[0].op, lines[5999].op)
	}
}
