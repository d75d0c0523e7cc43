package wecom

import (
	"context"
	"net/url"
	"strconv"

	"campaignbot"
)

// Menu is an application's custom menu: up to 3 buttons, each a click
// button or a group of up to 5.
type Menu struct {
	Button []MenuButton `json:"button"`
}

// MenuButton is one menu entry. A click button sends its Key as the
// EventKey of a click event; the Processor treats a key starting with "/"
// as that command typed.
type MenuButton struct {
	Type      string       `json:"type,omitempty"`
	Name      string       `json:"name"`
	Key       string       `json:"key,omitempty"`
	URL       string       `json:"url,omitempty"`
	SubButton []MenuButton `json:"sub_button,omitempty"`
}

// Menu limits.
const (
	maxMenuButtons = 3
	maxSubButtons  = 5
	maxMenuKey     = 128
)

// DefaultMenu is campaignbot's menu in lang ("zh" or "en"): the commands of
// SPEC §4 in three groups.
func DefaultMenu(lang string) Menu {
	click := func(label, command string) MenuButton {
		return MenuButton{Type: "click", Name: campaignbot.T(lang, label), Key: command}
	}
	return Menu{Button: []MenuButton{
		click("wecom.menu.tasks", "/tasks"),
		{Name: campaignbot.T(lang, "wecom.menu.submit_group"), SubButton: []MenuButton{
			click("wecom.menu.note", "/note"),
			click("wecom.menu.submit", "/submit"),
			click("wecom.menu.mine", "/mine"),
			click("wecom.menu.opinion", "/opinion"),
			click("wecom.menu.survey", "/survey"),
		}},
		{Name: campaignbot.T(lang, "wecom.menu.more"), SubButton: []MenuButton{
			click("wecom.menu.problem", "/problem"),
			click("wecom.menu.digest", "/digest"),
			click("wecom.menu.review", "/review"),
			click("wecom.menu.ledger", "/ledger"),
			click("wecom.menu.help", "/help"),
		}},
	}}
}

// Validate checks the menu against WeCom's limits.
func (m Menu) Validate() error {
	if len(m.Button) == 0 || len(m.Button) > maxMenuButtons {
		return campaignbot.Errorf(campaignbot.EINVALID, "a menu has 1 to %d buttons, not %d", maxMenuButtons, len(m.Button))
	}
	for _, b := range m.Button {
		if len(b.SubButton) > maxSubButtons {
			return campaignbot.Errorf(campaignbot.EINVALID, "menu %q has %d sub-buttons, at most %d", b.Name, len(b.SubButton), maxSubButtons)
		}
		for _, s := range append([]MenuButton{b}, b.SubButton...) {
			if s.Name == "" {
				return campaignbot.Errorf(campaignbot.EINVALID, "menu button without a name")
			}
			if len(s.Key) > maxMenuKey {
				return campaignbot.Errorf(campaignbot.EINVALID, "menu %q key of %d bytes, at most %d", s.Name, len(s.Key), maxMenuKey)
			}
			if s.Type == "click" && s.Key == "" && len(s.SubButton) == 0 {
				return campaignbot.Errorf(campaignbot.EINVALID, "menu click button %q without a key", s.Name)
			}
		}
	}
	return nil
}

// CreateMenu replaces the application's menu (menu/create).
func (c *Client) CreateMenu(ctx context.Context, menu Menu) error {
	if err := menu.Validate(); err != nil {
		return err
	}
	var out apiResult
	q := url.Values{"agentid": {strconv.Itoa(c.agentID)}}
	return c.postJSON(ctx, "/cgi-bin/menu/create", q, menu, &out)
}
