package wecom

import (
	"context"
	"errors"
	"net/url"
	"strconv"

	"campaignbot"
)

// AuthorizeBaseURL is where WeCom's web authorisation (网页授权) starts: the
// WeCom client opens it and comes back to the redirect with a code.
const AuthorizeBaseURL = "https://open.weixin.qq.com/connect/oauth2/authorize"

// Errcodes of auth/getuserinfo that say the code is no good: 40029 a code
// unknown, used or older than five minutes; 41008 no code at all.
const (
	errInvalidCode = 40029
	errMissingCode = 41008
)

// AuthorizeURL is the link that signs a member in from inside WeCom
// (scope snsapi_base: no question asked of the member). WeCom sends the
// browser back to redirectURI with code and state; the redirect's domain
// must be the application's trusted domain (可信域名), or WeCom answers
// the code with errcode 50001.
func (c *Client) AuthorizeURL(redirectURI, state string) string {
	// In the order of Tencent's documentation, the fragment last: the
	// WeCom client looks for #wechat_redirect to add the member's identity.
	return AuthorizeBaseURL + "?appid=" + url.QueryEscape(c.corpID) + "&redirect_uri=" + url.QueryEscape(redirectURI) +
		"&response_type=code&scope=snsapi_base&state=" + url.QueryEscape(state) + "&agentid=" + strconv.Itoa(c.agentID) + "#wechat_redirect"
}

// userInfoResult is the answer of auth/getuserinfo: a member's userid, or
// for someone outside the corp an openid.
type userInfoResult struct {
	apiResult
	UserID string `json:"userid"`
	OpenID string `json:"openid"`
}

// UserIDByCode exchanges the code of a web authorisation for the member's
// UserID (GET cgi-bin/auth/getuserinfo). A code WeCom refuses (used,
// expired, unknown) is EINVALID; someone who is not a member of the corp
// (WeCom answers an openid) is ENOTFOUND.
func (c *Client) UserIDByCode(ctx context.Context, code string) (string, error) {
	var res userInfoResult
	err := c.call(ctx, "GET", "/cgi-bin/auth/getuserinfo", url.Values{"code": {code}}, "", nil, &res)
	var ae *APIError
	if errors.As(err, &ae) && (ae.Code == errInvalidCode || ae.Code == errMissingCode) {
		return "", campaignbot.Errorf(campaignbot.EINVALID, "wecom sign-in code refused: %d %s", ae.Code, ae.Msg)
	} else if err != nil {
		return "", err
	}
	if res.UserID == "" {
		return "", campaignbot.Errorf(campaignbot.ENOTFOUND, "wecom sign-in: not a member of the corp")
	}
	return res.UserID, nil
}
