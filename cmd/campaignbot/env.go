package main

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Formats of the platforms' settings, from their documentation: a bot
// token as @BotFather gives it; a webhook secret_token (Bot API
// setWebhook: 1-256 characters A-Z, a-z, 0-9, _ and -); a bot's user name
// (5-32 characters A-Z, a-z, 0-9 and _); WeCom's callback Token (English
// letters and digits, at most 32) and EncodingAESKey (43 letters and
// digits).
var (
	botTokenRe      = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	webhookSecretRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	botNameRe       = regexp.MustCompile(`^[A-Za-z0-9_]{5,32}$`)
	wecomTokenRe    = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)
	wecomAESKeyRe   = regexp.MustCompile(`^[A-Za-z0-9]{43}$`)
	plainIDRe       = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// validatePlatforms checks every platform variable and --listen, and
// parses WECOM_AGENT_ID. Each message names the variable and what is
// wrong with it ("WECOM_AGENT_ID: not a number"), never a secret's value;
// all of them are reported at once, so that one start shows every mistake.
// With complete, a platform with some of its variables set must have all
// that run needs.
func (c *Config) validatePlatforms(complete bool) error {
	getenv := c.getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var errs []string
	bad := func(name, format string, args ...any) {
		errs = append(errs, name+": "+fmt.Sprintf(format, args...))
	}
	// check reports a value that systemd's EnvironmentFile or a shell
	// left with a comment or (except in a path: rule nil) spaces, then
	// applies the variable's own rule.
	check := func(name, v string, rule func(string) string) {
		if v == "" {
			return
		}
		if i := strings.Index(v, "#"); i > 0 && unicode.IsSpace(rune(v[i-1])) {
			bad(name, "the value ends in a comment (%q); systemd's EnvironmentFile keeps it as part of the value: put comments on lines of their own", strings.TrimSpace(v[i:]))
			return
		}
		if rule == nil {
			return // a path: spaces are allowed
		}
		if strings.TrimSpace(v) != v || strings.ContainsFunc(v, unicode.IsSpace) {
			bad(name, "contains spaces")
			return
		}
		if msg := rule(v); msg != "" {
			bad(name, "%s", msg)
		}
	}
	matches := func(re *regexp.Regexp, what string) func(string) string {
		return func(v string) string {
			if re.MatchString(v) {
				return ""
			}
			return what
		}
	}
	httpURL := func(v string) string {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "not an http:// or https:// URL"
		}
		return ""
	}
	anything := func(string) string { return "" }

	if c.Listen != "" {
		name := c.source("listen", "CAMPAIGNBOT_LISTEN")
		check(name, c.Listen, func(v string) string {
			_, port, err := net.SplitHostPort(v)
			if err != nil {
				return "not a HOST:PORT address (for example 127.0.0.1:8080 or :8080)"
			}
			if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
				if _, err := net.LookupPort("tcp", port); err != nil {
					return fmt.Sprintf("port %q is not a number from 0 to 65535", port)
				}
			}
			return ""
		})
	}
	for _, v := range []struct {
		name string
		rule func(string) string
	}{
		{"CAMPAIGNBOT_DB", nil},
		{"CAMPAIGNBOT_PLAN", nil},
		{"CAMPAIGNBOT_FILES", nil},
		{"CAMPAIGNBOT_BASE_URL", httpURL},
		{"CAMPAIGNBOT_METRICS_TOKEN", anything},
		{"TELEGRAM_BOT_TOKEN", matches(botTokenRe, "not a bot token (digits, a colon and the secret, as @BotFather gives it)")},
		{"TELEGRAM_API_URL", httpURL},
		{"TELEGRAM_WEBHOOK_URL", func(v string) string {
			if u, err := url.Parse(v); err != nil || u.Scheme != "https" || u.Host == "" {
				return "not an https:// URL (Telegram sends webhooks only over HTTPS)"
			}
			return ""
		}},
		{"TELEGRAM_WEBHOOK_SECRET", matches(webhookSecretRe, "must be 1 to 256 characters A-Z, a-z, 0-9, _ and -")},
		{"TELEGRAM_GROUP_CHAT_ID", func(v string) string {
			if _, err := strconv.ParseInt(v, 10, 64); err == nil || (strings.HasPrefix(v, "@") && botNameRe.MatchString(v[1:])) {
				return ""
			}
			return "not a chat id (a number such as -1001234567890, or @channelname)"
		}},
		{"TELEGRAM_BOT_NAME", func(v string) string {
			if strings.HasPrefix(v, "@") {
				return "write the user name without @"
			}
			return matches(botNameRe, "not a bot user name (5 to 32 characters A-Z, a-z, 0-9 and _)")(v)
		}},
		{"WECOM_CORP_ID", matches(plainIDRe, "not a corp id (letters and digits, as 我的企业 → 企业ID shows it)")},
		{"WECOM_AGENT_ID", func(v string) string {
			n, err := strconv.Atoi(v)
			if err != nil {
				return "not a number"
			}
			if n <= 0 {
				return "must be a positive number"
			}
			c.WeCom.AgentID = n
			return ""
		}},
		{"WECOM_SECRET", anything},
		{"WECOM_TOKEN", matches(wecomTokenRe, "must be English letters and digits, at most 32 (the Token of the app's 接收消息 settings)")},
		{"WECOM_AES_KEY", matches(wecomAESKeyRe, "must be the 43 letters and digits of the app's EncodingAESKey")},
		{"WECOM_API_URL", httpURL},
		{"WECOM_ROBOT_KEY", matches(plainIDRe, "not a group robot key (the key=… of the robot's webhook URL)")},
	} {
		check(v.name, getenv(v.name), v.rule)
	}

	if !complete {
		return joinUsage(errs)
	}
	tg := []string{"TELEGRAM_API_URL", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_GROUP_CHAT_ID"}
	if c.Telegram.Token == "" {
		for _, name := range tg {
			if getenv(name) != "" {
				bad("TELEGRAM_BOT_TOKEN", "missing (%s is set)", name)
				break
			}
		}
	}
	if c.Telegram.WebhookSecret != "" && c.Telegram.WebhookURL == "" && c.Telegram.Token != "" {
		bad("TELEGRAM_WEBHOOK_URL", "missing (TELEGRAM_WEBHOOK_SECRET is set; without a webhook the bot long-polls)")
	}
	wc := []string{"WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_AES_KEY"}
	var set, missing []string
	for _, name := range wc {
		if getenv(name) != "" {
			set = append(set, name)
		} else {
			missing = append(missing, name)
		}
	}
	if len(set) == 0 {
		for _, name := range []string{"WECOM_API_URL", "WECOM_ROBOT_KEY"} {
			if getenv(name) != "" {
				set = append(set, name)
			}
		}
	}
	if len(set) > 0 {
		for _, name := range missing {
			bad(name, "missing (%s is set; WeCom needs %s)", set[0], strings.Join(wc, ", "))
		}
	}
	return joinUsage(errs)
}

// joinUsage returns errs as one usage error, a line each, or nil.
func joinUsage(errs []string) error {
	if len(errs) == 0 {
		return nil
	}
	return usagef("%s", strings.Join(errs, "\n"))
}
