package wecom_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"campaignbot"
)

// TestUserIDByCode exchanges web authorisation codes as WeCom answers
// them: a member's userid once, then 40029 for the spent code; an
// outsider's openid; a made-up code; and a token expired meanwhile.
func TestUserIDByCode(t *testing.T) {
	srv, c := MustClient(t)
	ctx := context.Background()
	code := srv.IssueOAuthCode("zhangsan")
	if id, err := c.UserIDByCode(ctx, code); err != nil || id != "zhangsan" {
		t.Fatalf("member: %q %v", id, err)
	}
	if _, err := c.UserIDByCode(ctx, code); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
		t.Errorf("a spent code: %v", err)
	}
	if _, err := c.UserIDByCode(ctx, "made-up"); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
		t.Errorf("a made-up code: %v", err)
	}
	if _, err := c.UserIDByCode(ctx, ""); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
		t.Errorf("no code: %v", err)
	}
	if _, err := c.UserIDByCode(ctx, srv.IssueOAuthCodeOutsider("o-123")); campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
		t.Errorf("an outsider: %v", err)
	}
	srv.ExpireToken()
	if id, err := c.UserIDByCode(ctx, srv.IssueOAuthCode("lisi")); err != nil || id != "lisi" {
		t.Errorf("after the token expired: %q %v", id, err)
	}
}

func TestAuthorizeURL(t *testing.T) {
	_, c := MustClient(t)
	u := c.AuthorizeURL("https://campaign.example.gov.cn/wecom/login", "s1")
	if !strings.HasPrefix(u, "https://open.weixin.qq.com/connect/oauth2/authorize?appid=") || !strings.HasSuffix(u, "#wechat_redirect") {
		t.Fatalf("url %s", u)
	}
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	if q.Get("redirect_uri") != "https://campaign.example.gov.cn/wecom/login" || q.Get("scope") != "snsapi_base" || q.Get("response_type") != "code" || q.Get("state") != "s1" || q.Get("agentid") == "" {
		t.Errorf("query %v", q)
	}
}
