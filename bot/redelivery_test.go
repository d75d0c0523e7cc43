package bot_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"campaignbot"
)

// TestCommandsRedeliveredAfterLostHandledMark processes a leave, a review
// decision and a rectification item, loses the records that they were
// handled (as a crash between the change and that record would), and
// processes the same messages again: each is answered as the first time
// and nothing is stored twice or refused.
func TestCommandsRedeliveredAfterLostHandledMark(t *testing.T) {
	ctx := context.Background()
	e := fieldNewEnv(t, campaignbot.NewDate(2026, time.May, 11))
	e.send("赵磊", "/submit dept-analysis")
	fieldContains(t, e.send("赵磊", "一、学习情况\n二、存在问题"), "version 1")
	v1 := e.fieldVersions("赵磊")[0]
	e.drain()

	tests := []struct {
		name, who, text string
		count           func() int
	}{
		{"leave", "赵磊", "/leave 2026-05-20 2026-05-22", func() int {
			ls, err := e.db.FindLeaves(ctx, e.person("赵磊").ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(ls)
		}},
		{"review decision", "李明华", fmt.Sprintf("/review %d accept", v1.ID), func() int {
			cs, err := e.db.FindReviewComments(ctx, v1.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(cs)
		}},
		{"rectification item", "陈丽", "/ledger add 会议过多 | 精简会议 | 李明华 | 2026-08-31", func() int {
			return len(e.ledger())
		}},
	}
	for _, tt := range tests {
		r := e.req(tt.who, tt.text)
		first := fieldRender(e.do(r))
		told := len(e.drain())
		// What the crash lost: the records that messages were handled.
		if _, err := e.db.DeleteProcessedInbound(ctx, e.clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		again := *r
		if got := fieldRender(e.do(&again)); got != first {
			t.Errorf("%s again answered %q, want %q", tt.name, got, first)
		}
		if got := tt.count(); got != 1 {
			t.Errorf("%s: %d stored, want 1", tt.name, got)
		}
		if got := len(e.drain()); got != 0 {
			t.Errorf("%s again told %d more people (the first time %d)", tt.name, got, told)
		}
	}
}
