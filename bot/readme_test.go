package bot_test

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeListsEveryCommand: the README's chat-commands section lists
// every command of the table (what /help shows) and every sub-command of
// /ledger and /leave.
func TestReadmeListsEveryCommand(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start := strings.Index(text, "## Chat commands")
	if start < 0 {
		t.Fatal("README has no Chat commands section")
	}
	section := text[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	e := newEnv(t)
	var want []string
	for _, cmd := range e.engine.Commands() {
		want = append(want, "`/"+cmd.Name)
		want = append(want, cmd.Aliases...)
	}
	for _, sub := range []string{"add", "from-problem", "from-report", "edit", "remove", "done", "status", "publish"} {
		want = append(want, "`/ledger "+sub)
	}
	want = append(want, "/leave list", "/leave cancel N", "/answer N publish")
	for _, w := range want {
		if !strings.Contains(section, w) {
			t.Errorf("the README's chat commands lack %q", w)
		}
	}
}
