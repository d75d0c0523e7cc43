package wecom_test

import (
	"strings"
	"testing"

	"campaignbot/bot/wecom"
)

func TestWordsNameTheChineseWords(t *testing.T) {
	w := wecom.NewWords(map[string]string{"tasks": "任务", "problem": "问题", "problems": "我的问题", "web": "网页", "submit": "提交"}, "zh")
	tests := []struct{ in, want string }{
		{"发送 /tasks 查看您的任务。", "发送 「任务」 查看您的任务。"},
		{"/tasks (任务) — 我的任务", "「任务」 — 我的任务"},
		{"/problems 与 /problem", "「我的问题」 与 「问题」"},
		{"链接：https://example.com/web/login?x=1", "链接：https://example.com/web/login?x=1"},
		{"/submit study-notes", "「提交」 study-notes"},
		{"/unknown stays", "/unknown stays"},
		{"【提醒】「学习笔记」今天到期（3月8日）。直接回复本消息即可提交，也可点「提交」。", "【提醒】「学习笔记」今天到期（3月8日）。点下方「提交」或发送“提交”即可提交。"},
	}
	for _, tt := range tests {
		if got := w.Apply(tt.in); got != tt.want {
			t.Errorf("Apply(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	var none *wecom.Words
	if got := none.Apply("/tasks"); got != "/tasks" {
		t.Errorf("nil Words changed the text: %q", got)
	}
}

func TestEscapeMarkdown(t *testing.T) {
	in := "**重要** <font color=\"warning\">红</font> [链接](http://x) `code` # 标题"
	got := wecom.EscapeMarkdown(in)
	if strings.ContainsAny(got, "*<>[]`#") {
		t.Errorf("EscapeMarkdown(%q) = %q still formats", in, got)
	}
	if !strings.Contains(got, "重要") || !strings.Contains(got, "http://x") {
		t.Errorf("EscapeMarkdown lost the text: %q", got)
	}
}
