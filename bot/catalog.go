package bot

import "campaignbot"

// catalog gives the engine's texts in its language from campaignbot's one
// catalog. Handlers name a key; no user-facing text is built ad hoc.
type catalog struct {
	lang string
}

func newCatalog(lang string) *catalog {
	if lang != "en" {
		lang = "zh"
	}
	return &catalog{lang: lang}
}

// t returns the text for key with args formatted in (campaignbot.T).
func (c *catalog) t(key string, args ...any) string { return campaignbot.T(c.lang, key, args...) }
