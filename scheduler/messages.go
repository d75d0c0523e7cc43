package scheduler

import "campaignbot"

// catalog gives the scheduler's texts (prompts, announcements, digests) in
// its language from campaignbot's one catalog.
type catalog struct {
	lang string
}

// newCatalog returns the catalog for lang: English for "en", Chinese
// (zh-CN), the default, for anything else.
func newCatalog(lang string) catalog { return catalog{lang: lang} }

// t returns the text for key with args formatted in (campaignbot.T).
func (c catalog) t(key string, args ...any) string { return campaignbot.T(c.lang, key, args...) }

// pick returns en when the catalog is English and en is set, zh otherwise:
// for names that come from the plan (task and phase titles).
func (c catalog) pick(zh, en string) string {
	if campaignbot.English(c.lang) && en != "" {
		return en
	}
	return zh
}

func (c catalog) task(t *campaignbot.Task) string   { return c.pick(t.Title, t.TitleEn) }
func (c catalog) phase(p *campaignbot.Phase) string { return c.pick(p.Title, p.TitleEn) }
