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

// DefaultMenu is campaignbot's menu: the commands of SPEC §4 in three groups.
func DefaultMenu() Menu {
	click := func(name, key string) MenuButton { return MenuButton{Type: "click", Name: name, Key: key} }
	return Menu{Button: []MenuButton{
		click("任务", "/tasks"),
		{Name: "提交", SubButton: []MenuButton{
			click("学习笔记", "/note"),
			click("提交材料", "/submit"),
			click("我的提交", "/mine"),
			click("提意见", "/opinion"),
			click("问卷", "/survey"),
		}},
		{Name: "更多", SubButton: []MenuButton{
			click("反映问题", "/problem"),
			click("今日简报", "/digest"),
			click("审阅", "/review"),
			click("整改台账", "/ledger"),
			click("帮助", "/help"),
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
