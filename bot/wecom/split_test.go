package wecom

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitText(t *testing.T) {
	para := func(r string, n int) string { return strings.Repeat(r, n) }
	tests := []struct {
		name string
		s    string
		max  int
		want []string
	}{
		{"empty", "", 10, nil},
		{"blank", " \n\n ", 10, nil},
		{"fits", "短文本", 10, []string{"短文本"}},
		{"exactly", "abcdefghij", 10, []string{"abcdefghij"}},
		{"paragraphs packed", "aaa\n\nbbb\n\nccc", 8, []string{"aaa\n\nbbb", "ccc"}},
		{"lines when paragraph too long", "aaaa\nbbbb\ncccc", 9, []string{"aaaa\nbbbb", "cccc"}},
		{"runes", "一二三四五", 7, []string{"一二", "三四", "五"}},
		{"long paragraph then short", para("x", 12) + "\n\nyy", 10, []string{"xxxxxxxxxx", "xx\n\nyy"}},
		{"tiny max is raised to a rune", "一二", 1, []string{"一", "二"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SplitText(tt.s, tt.max)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Fatalf("SplitText(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
			}
		})
	}
}

func TestSplitTextChineseDigest(t *testing.T) {
	var paras []string
	for i := range 60 {
		paras = append(paras, strings.Repeat("第"+string(rune('一'+i%9))+"阶段学习笔记完成情况良好。", 3+i%5))
	}
	s := strings.Join(paras, "\n\n")
	parts := SplitText(s, MaxTextBytes)
	if len(parts) < 2 {
		t.Fatalf("%d bytes in %d parts", len(s), len(parts))
	}
	for i, p := range parts {
		if len(p) > MaxTextBytes {
			t.Errorf("part %d has %d bytes", i, len(p))
		}
		if !utf8.ValidString(p) {
			t.Errorf("part %d is not valid UTF-8", i)
		}
		for _, q := range strings.Split(p, "\n\n") {
			if !slices.Contains(paras, q) {
				t.Errorf("part %d holds a broken paragraph %q", i, q)
			}
		}
	}
	if got, want := strings.Join(parts, "\n\n"), s; got != want {
		t.Error("parts do not join back to the text")
	}
}

func FuzzSplitText(f *testing.F) {
	f.Add("一二\n\n三四\nabc", 8)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max > 1<<16 || max < -1<<16 {
			return
		}
		for _, p := range SplitText(s, max) {
			if len(p) > max && len(p) > utf8.UTFMax {
				t.Fatalf("part of %d bytes over %d", len(p), max)
			}
			if utf8.ValidString(s) && !utf8.ValidString(p) {
				t.Fatalf("part %q broke a rune", p)
			}
		}
	})
}
