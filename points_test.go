package campaignbot_test

import (
	"slices"
	"testing"

	"campaignbot"
)

func TestReportPoints(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"一、学习不深入\n二、调研少：全年仅 3 次\n到企业少\n三、作风不实", []string{"一、学习不深入", "二、调研少：全年仅 3 次\n到企业少", "三、作风不实"}},
		{"存在的问题如下：\n1. 会议多\n2、文件多\n（3）督办弱", []string{"存在的问题如下：", "1. 会议多", "2、文件多", "（3）督办弱"}},
		{"第一段\n续\n\n第二段\n\n\n", []string{"第一段\n续", "第二段"}},
		{"  ", nil},
	} {
		if got := campaignbot.ReportPoints(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("ReportPoints(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
