package wecom

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestParseMessage(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, m *Message)
		key   string
	}{
		{"text.xml", func(t *testing.T, m *Message) {
			if got, want := m.Content, "提交学习笔记"; got != want {
				t.Errorf("Content = %q, want %q", got, want)
			}
			if got, want := m.AgentID, int64(1000002); got != want {
				t.Errorf("AgentID = %d, want %d", got, want)
			}
		}, "1234567890123456"},
		{"image.xml", func(t *testing.T, m *Message) {
			if m.PicURL != "https://wework.qpic.cn/wwpic/123/0" || m.MediaID != "MEDIA_IMG" {
				t.Errorf("image = %q %q", m.PicURL, m.MediaID)
			}
			if got, want := m.Name(), "MEDIA_IMG.jpg"; got != want {
				t.Errorf("Name = %q, want %q", got, want)
			}
		}, "1234567890123457"},
		{"file.xml", func(t *testing.T, m *Message) {
			if got, want := m.Name(), "分析报告.docx"; got != want {
				t.Errorf("Name = %q, want %q", got, want)
			}
		}, "1234567890123458"},
		{"location.xml", func(t *testing.T, m *Message) {
			if m.LocationX != 23.134521 || m.LocationY != 113.358803 || m.Label != "某企业园区" || m.Scale != 20 {
				t.Errorf("location = %v %v %q %d", m.LocationX, m.LocationY, m.Label, m.Scale)
			}
		}, "1234567890123459"},
		{"click.xml", func(t *testing.T, m *Message) {
			if m.Event != EventClick || m.EventKey != "/tasks" {
				t.Errorf("click = %q %q", m.Event, m.EventKey)
			}
		}, "zhangsan:1409735669:click:/tasks"},
		{"template_card_event.xml", func(t *testing.T, m *Message) {
			if m.Event != EventTemplateCardEvent || m.EventKey != "submit:note" || m.TaskID != "cb0123" || m.ResponseCode != "RC123" || m.CardType != "button_interaction" {
				t.Errorf("card event = %+v", m)
			}
		}, "lisi:1409735670:template_card_event:submit:note:cb0123"},
		{"enter_agent.xml", func(t *testing.T, m *Message) {
			if m.Event != EventEnterAgent {
				t.Errorf("Event = %q", m.Event)
			}
		}, "wangwu:1409735671:enter_agent:"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			m, err := ParseMessage(data)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, m)
			if got, want := m.DedupKey(), tt.key; got != want {
				t.Errorf("DedupKey = %q, want %q", got, want)
			}
		})
	}
}

func TestParseMessageRejects(t *testing.T) {
	for _, s := range []string{"", "<xml>", "{}", "<xml><MsgType>text</MsgType></xml>", "<xml><FromUserName>a</FromUserName><MsgType>text</MsgType></xml>"} {
		if _, err := ParseMessage([]byte(s)); !errors.Is(err, ErrXML) {
			t.Errorf("ParseMessage(%q) = %v, want ErrXML", s, err)
		}
	}
}

func TestDedupKeyEventsInOneSecond(t *testing.T) {
	ev := func(event, key, task string) *Message {
		return &Message{FromUserName: "lisi", CreateTime: 1409735670, MsgType: MsgTypeEvent, Event: event, EventKey: key, TaskID: task}
	}
	// Opening the app and tapping the menu, or tapping buttons of two
	// cards, within one second: different events, different keys.
	distinct := []*Message{
		ev(EventEnterAgent, "", ""),
		ev(EventClick, "/tasks", ""),
		ev(EventClick, "/mine", ""),
		ev(EventTemplateCardEvent, "1", "cbA"),
		ev(EventTemplateCardEvent, "1", "cbB"),
		ev(EventTemplateCardEvent, "2", "cbB"),
	}
	seen := map[string]int{}
	for i, m := range distinct {
		if j, ok := seen[m.DedupKey()]; ok {
			t.Errorf("events %d and %d share the key %q", j, i, m.DedupKey())
		}
		seen[m.DedupKey()] = i
	}
	// A retry repeats the event exactly: the same key.
	if a, b := ev(EventClick, "/tasks", "").DedupKey(), ev(EventClick, "/tasks", "").DedupKey(); a != b {
		t.Errorf("a retried event has key %q, first %q", b, a)
	}
}
