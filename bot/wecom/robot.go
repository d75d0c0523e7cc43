package wecom

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"campaignbot"
)

// Limits of the group robot.
const (
	// MaxRobotMarkdownBytes is the longest markdown content of webhook/send.
	MaxRobotMarkdownBytes = 4096
	// MaxRobotTextBytes is the longest text content of webhook/send.
	MaxRobotTextBytes = 2048
	// MaxRobotImageBytes is the largest image webhook/send takes (before base64).
	MaxRobotImageBytes = 2 << 20
)

// Robot posts to a group chat through a group robot's webhook (群机器人).
// WeCom allows it 20 messages a minute.
type Robot struct {
	baseURL string
	key     string
	http    *http.Client
}

// NewRobot returns a robot for the webhook key (the key= of its webhook
// URL). An empty baseURL means DefaultBaseURL. The key is a secret: it is
// kept out of errors.
func NewRobot(baseURL, key string, opts ...Option) *Robot {
	o := newOptions(opts)
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	return &Robot{baseURL: strings.TrimRight(baseURL, "/"), key: key, http: o.httpClient}
}

// SendMarkdown posts content as markdown, split into messages of at most
// MaxRobotMarkdownBytes.
func (r *Robot) SendMarkdown(ctx context.Context, content string) error {
	return r.sendSplit(ctx, "markdown", content, MaxRobotMarkdownBytes)
}

// SendText posts content as text, split into messages of at most
// MaxRobotTextBytes.
func (r *Robot) SendText(ctx context.Context, content string) error {
	return r.sendSplit(ctx, "text", content, MaxRobotTextBytes)
}

func (r *Robot) sendSplit(ctx context.Context, msgType, content string, limit int) error {
	parts := SplitText(content, limit)
	if len(parts) == 0 {
		return campaignbot.Errorf(campaignbot.EINVALID, "wecom robot %s message is empty", msgType)
	}
	for i, p := range parts {
		if err := r.post(ctx, msgType, map[string]string{"content": p}); err != nil {
			return fmt.Errorf("part %d of %d: %w", i+1, len(parts), err)
		}
	}
	return nil
}

// SendImage posts a JPG or PNG image of at most MaxRobotImageBytes.
func (r *Robot) SendImage(ctx context.Context, data []byte) error {
	if len(data) == 0 || len(data) > MaxRobotImageBytes {
		return campaignbot.Errorf(campaignbot.EINVALID, "robot image of %d bytes is outside 1..%d", len(data), MaxRobotImageBytes)
	}
	sum := md5.Sum(data)
	return r.post(ctx, "image", map[string]string{
		"base64": base64.StdEncoding.EncodeToString(data),
		"md5":    hex.EncodeToString(sum[:]),
	})
}

// SendFile uploads data with webhook/upload_media and posts it as a file.
func (r *Robot) SendFile(ctx context.Context, name string, data []byte) error {
	if len(data) <= minMediaBytes || len(data) > mediaLimits[MediaFile] {
		return campaignbot.Errorf(campaignbot.EINVALID, "robot file %q of %d bytes is outside %d..%d", name, len(data), minMediaBytes+1, mediaLimits[MediaFile])
	}
	body, contentType, err := multipartMedia(name, data)
	if err != nil {
		return err
	}
	var out struct {
		apiResult
		MediaID string `json:"media_id"`
	}
	const path = "/cgi-bin/webhook/upload_media"
	q := url.Values{"key": {r.key}, "type": {"file"}}
	if err := r.do(ctx, path, q, contentType, body, &out); err != nil {
		return err
	}
	return r.post(ctx, "file", map[string]string{"media_id": out.MediaID})
}

// post sends one webhook/send message.
func (r *Robot) post(ctx context.Context, msgType string, payload any) error {
	body, err := json.Marshal(map[string]any{"msgtype": msgType, msgType: payload})
	if err != nil {
		return fmt.Errorf("wecom robot: %w", err)
	}
	var out apiResult
	return r.do(ctx, "/cgi-bin/webhook/send", url.Values{"key": {r.key}}, "application/json; charset=utf-8", body, &out)
}

func (r *Robot) do(ctx context.Context, path string, q url.Values, contentType string, body []byte, out resulter) error {
	resp, err := send(ctx, r.http, http.MethodPost, r.baseURL, path, q, contentType, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decodeAnswer(resp, path, out)
}
