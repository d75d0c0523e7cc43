package campaignbot

import "testing"

func TestParseChatDate(t *testing.T) {
	near := NewDate(2026, 12, 5)
	for _, tt := range []struct {
		in, want string // want "" for a refusal
	}{
		{"2026-12-20", "2026-12-20"},
		{"2026/12/20", "2026-12-20"},
		{"2026.12.20", "2026-12-20"},
		{"2026年12月20日", "2026-12-20"},
		{"2027年3月31日", "2027-03-31"},
		{"12月20日", "2026-12-20"},
		{"12月20号", "2026-12-20"},
		{"12月20", "2026-12-20"},
		{"12-20", "2026-12-20"},
		{"12.20", "2026-12-20"},
		{"12/20", "2026-12-20"},
		{"２０２６年１２月２０日", "2026-12-20"},
		{" 2026-3-1 ", "2026-03-01"},
		// Without a year, the nearest: early next year, late last year.
		{"1月5日", "2027-01-05"},
		{"3月31日", "2027-03-31"},
		{"11.30", "2026-11-30"},
		{"8.1", "2026-08-01"},
		{"5.1", "2027-05-01"},
		{"2月29日", ""}, // no leap year near 2026
		{"2028年2月29日", "2028-02-29"},
		{"2026-02-29", ""},
		{"2月30日", ""},
		{"13月1日", ""},
		{"12月0日", ""},
		{"2026-12/20", ""},
		{"2026年12-20", ""},
		{"20日", ""},
		{"明天", ""},
		{"1.5", "2027-01-05"},
		{"", ""},
	} {
		got, err := ParseChatDate(tt.in, near)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("ParseChatDate(%q) = %s, want a refusal", tt.in, got)
		case tt.want == "" && ErrorCode(err) != EINVALID:
			t.Errorf("ParseChatDate(%q): %v, want EINVALID", tt.in, err)
		case tt.want != "" && err != nil:
			t.Errorf("ParseChatDate(%q): %v, want %s", tt.in, err, tt.want)
		case tt.want != "" && got.String() != tt.want:
			t.Errorf("ParseChatDate(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
