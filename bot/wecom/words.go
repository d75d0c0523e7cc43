package wecom

import (
	"regexp"
	"slices"
	"strings"

	"campaignbot"
)

// Words rewrites the bot's texts for WeCom (SPEC §4): WeCom members type
// the Chinese words and press the menu and the cards' buttons, so a text
// names 「任务」 where Telegram's says /tasks, and WeCom has no reply-to, so
// "reply to this message" becomes "press Submit".
type Words struct {
	re      *regexp.Regexp
	alias   map[string]string // command name → the Chinese word
	phrases *strings.Replacer
}

// NewWords returns the rewriting for the commands (name → its Chinese
// word) in lang. In English the commands stay as they are: the words a
// member types are then the English ones.
func NewWords(commands map[string]string, lang string) *Words {
	w := &Words{alias: commands}
	if !campaignbot.English(lang) && len(commands) > 0 {
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, regexp.QuoteMeta(n))
		}
		// Longest first, so that /problems is not read as /problem.
		slices.SortFunc(names, func(a, b string) int { return len(b) - len(a) })
		// A command stands after the start, a space or punctuation, never
		// inside an address (https://host/web/…); the list of aliases
		// that help prints after it, "(任务)", goes with it.
		w.re = regexp.MustCompile(`(^|[^A-Za-z0-9_/:.\-])/(` + strings.Join(names, "|") + `)\b(?: \([^)\n]*\))?`)
	}
	var pairs []string
	for _, k := range []string{"wecom.words.reply_or_press", "wecom.words.reply"} {
		pairs = append(pairs, campaignbot.T(lang, k), campaignbot.T(lang, "wecom.words.press"))
	}
	w.phrases = strings.NewReplacer(pairs...)
	return w
}

// Apply returns s as a WeCom member should read it.
func (w *Words) Apply(s string) string {
	if w == nil {
		return s
	}
	s = w.phrases.Replace(s)
	if w.re == nil {
		return s
	}
	return w.re.ReplaceAllStringFunc(s, func(m string) string {
		sub := w.re.FindStringSubmatch(m)
		return sub[1] + "「" + w.alias[sub[2]] + "」"
	})
}
