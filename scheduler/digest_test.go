package scheduler

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"campaignbot"
)

func TestDigest(t *testing.T) {
	o := mustOrg(t)
	ctx := context.Background()
	o.submit(t, "钱科长", "dept-analysis", d("2026-06-01"))
	day := d("2026-07-03")
	o.clock.Set(at(day, 8*60+30, o.plan.Loc()))
	s := o.scheduler()

	for _, tc := range []struct {
		name      string
		want, not []string
		code      string
	}{
		{name: "赵副局长", want: []string{"孙科长（业务科）", "/overdue", "「整改承诺书」0/1（0%）", "按科室：1.业务科"}, not: []string{"周干事", "/review", "未绑定"}},
		{name: "李副局长", want: []string{"待您审阅 1 份", "/review", "「科室分析报告」办公室 钱科长 第 1 版，已等 32 天", "周干事"}, not: []string{"孙科长"}},
		{name: "王局长", want: []string{"孙科长", "周干事", "当前阶段：「整改落实阶段」", "还剩 59 天"}, not: []string{"待您审阅"}},
		{name: "郑主任", want: []string{"未绑定 1 人：吴指导员", "/invite"}},
		{name: "周干事", code: campaignbot.EFORBIDDEN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Digest(ctx, o.id[tc.name], day)
			if code := campaignbot.ErrorCode(err); code != tc.code {
				t.Fatalf("error %v, want code %q", err, tc.code)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("digest lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(got, w) {
					t.Errorf("digest has %q:\n%s", w, got)
				}
			}
		})
	}

	// The head compares departments: the digest carries their chart, the
	// same PNG as the daily job's.
	text, files, err := s.DigestWithChart(ctx, o.id["王局长"], day)
	if err != nil || !strings.Contains(text, "按科室：1.") || len(files) != 1 || files[0].MIME != "image/png" {
		t.Fatalf("digest with chart: %v, %d files %+v", err, len(files), files)
	}
	if data, err := os.ReadFile(o.st.AttachmentPath(files[0].SHA256)); err != nil || !bytes.HasPrefix(data, []byte("\x89PNG")) {
		t.Errorf("chart file: %v", err)
	}
	// A leader in charge of one department gets no chart: one bar says
	// nothing the text does not.
	if _, files, err := s.DigestWithChart(ctx, o.id["赵副局长"], day); err != nil || len(files) != 0 {
		t.Errorf("one department's digest: %v, %d files", err, len(files))
	}

	list, err := s.OverdueFor(ctx, o.id["赵副局长"], day)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list, "【业务科】") || !strings.Contains(list, "· 孙科长（业务科）：「学习笔记」7 周、「专题发言及学习心得」、「科室分析报告」，最长逾期 103 天\n") || strings.Count(list, "孙科长") != 1 || strings.Contains(list, "周干事") {
		t.Errorf("overdue list of 赵副局长:\n%s", list)
	}

	// The 08:30 job: one digest per leader, head and office member bound.
	if err := s.runDigests(ctx, o.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.runDigests(ctx, o.clock.Now()); err != nil {
		t.Fatal(err)
	}
	var to []int64
	for _, m := range o.st.rows() {
		if m.Kind == campaignbot.KindDigest {
			to = append(to, m.PersonID)
		}
	}
	if got, want := len(to), 4; got != want {
		t.Errorf("%d digests sent (%v), want %d", got, to, want)
	}
}

func TestAnnounce(t *testing.T) {
	o := mustOrg(t)
	ctx := context.Background()
	s := o.scheduler(WithLang("en"))
	for _, tc := range []struct {
		target string
		want   int
		code   string
	}{
		{"", 7, ""},
		{"业务科", 2, ""}, // 吴指导员 is not bound
		{"中层干部", 2, ""},
		{"leader", 2, ""},
		{"分管领导", 2, ""},
		{"no such", 0, campaignbot.EINVALID},
	} {
		rep, err := s.Announce(ctx, o.id["郑主任"], tc.target, "meeting at 3", "")
		if code := campaignbot.ErrorCode(err); code != tc.code || rep.Now != tc.want || rep.Held != 0 {
			t.Errorf("Announce(%q) = %+v, %v; want %d now, code %q", tc.target, rep, err, tc.want, tc.code)
		}
		// 吴指导员, of 业务科, never bound: named as unbound.
		if wantUnbound := tc.target == "" || tc.target == "业务科"; (len(rep.Unbound) == 1 && rep.Unbound[0] == "吴指导员") != wantUnbound {
			t.Errorf("Announce(%q) names %v as unbound", tc.target, rep.Unbound)
		}
	}
	if _, err := s.Announce(ctx, o.id["郑主任"], "", "  ", ""); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
		t.Errorf("empty announcement: %v", err)
	}
	var group int
	for _, m := range o.st.rows() {
		if m.ChatID == GroupChat {
			group++
		}
		if !strings.HasPrefix(m.Text, "Notice: meeting at 3") {
			t.Errorf("text %q", m.Text)
		}
	}
	if group != 1 {
		t.Errorf("%d group messages, want 1 (for the announcement to everyone)", group)
	}
}

// TestDigestChart: the head's chart names the departments of the digest's
// "by department" line, in its order, with the phase as title, the day and
// each department's figures, so that it reads alone when forwarded.
func TestDigestChart(t *testing.T) {
	o := mustOrg(t)
	ctx := context.Background()
	o.submit(t, "钱科长", "dept-analysis", d("2026-06-01"))
	day := d("2026-07-03")
	o.clock.Set(at(day, 8*60+30, o.plan.Loc()))
	s := o.scheduler()
	r, err := s.newDigestRun(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	text, ch, err := r.renderWithChart(o.id["王局长"])
	if err != nil {
		t.Fatal(err)
	}
	if ch == nil || len(ch.Bars) < 2 {
		t.Fatalf("chart %+v", ch)
	}
	if !strings.Contains(ch.Title, "整改落实阶段") || !strings.Contains(ch.Subtitle, "2026-07-03") {
		t.Errorf("title %q, subtitle %q", ch.Title, ch.Subtitle)
	}
	var line string
	for l := range strings.Lines(text) {
		if strings.HasPrefix(l, "按科室：") {
			line = l
		}
	}
	for i, b := range ch.Bars {
		num := fmt.Sprintf("%d.%s %d/%d（%d%%）", i+1, b.Label, b.Done, b.Owed, percent(b.Done, b.Owed))
		if !strings.Contains(line, num) {
			t.Errorf("bar %d %+v is not %q in %q", i, b, num, line)
		}
		if want := fmt.Sprintf("%d/%d %d%%", b.Done, b.Owed, percent(b.Done, b.Owed)); b.Value != want {
			t.Errorf("bar %q value %q, want %q", b.Label, b.Value, want)
		}
	}
	if ch.Note != "" {
		t.Errorf("note %q with every department shown", ch.Note)
	}
}

// TestPercent: completion is rounded, not truncated (SPEC §5 digest).
func TestPercent(t *testing.T) {
	for _, tc := range []struct{ done, owed, want int }{
		{2, 3, 67}, {1, 3, 33}, {1, 2, 50}, {0, 7, 0}, {7, 7, 100}, {1, 200, 1}, {1, 201, 0},
	} {
		if got := percent(tc.done, tc.owed); got != tc.want {
			t.Errorf("percent(%d, %d) = %d, want %d", tc.done, tc.owed, got, tc.want)
		}
	}
}
