package wecom

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// Message types and events of the callbacks campaignbot understands.
const (
	MsgTypeText     = "text"
	MsgTypeImage    = "image"
	MsgTypeVoice    = "voice"
	MsgTypeVideo    = "video"
	MsgTypeFile     = "file"
	MsgTypeLocation = "location"
	MsgTypeLink     = "link"
	MsgTypeEvent    = "event"

	EventClick             = "click"
	EventTemplateCardEvent = "template_card_event"
	EventEnterAgent        = "enter_agent"
	EventSubscribe         = "subscribe"
	EventUnsubscribe       = "unsubscribe"
	EventLocation          = "LOCATION"
	EventChangeContact     = "change_contact"
)

// ChangeDeleteUser is the ChangeType of a change_contact event for a
// member deleted from the address book.
const ChangeDeleteUser = "delete_user"

// Message is a decrypted inbound message or event of a self-built
// application. One struct serves every type; fields a type lacks are zero.
type Message struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	MsgID        string   `xml:"MsgId"`
	AgentID      int64    `xml:"AgentID"`

	// Text.
	Content string `xml:"Content"`
	// Image, voice, video, file.
	PicURL   string `xml:"PicUrl"`
	MediaID  string `xml:"MediaId"`
	Format   string `xml:"Format"`
	Title    string `xml:"Title"`
	FileName string `xml:"FileName"`
	// Link (an article a member forwards); Title is shared with files.
	Description string `xml:"Description"`
	URL         string `xml:"Url"`
	// Location message (Location_X is the latitude).
	LocationX float64 `xml:"Location_X"`
	LocationY float64 `xml:"Location_Y"`
	Scale     int     `xml:"Scale"`
	Label     string  `xml:"Label"`

	// Events.
	Event        string `xml:"Event"`
	EventKey     string `xml:"EventKey"`
	TaskID       string `xml:"TaskId"`
	CardType     string `xml:"CardType"`
	ResponseCode string `xml:"ResponseCode"`
	// change_contact event (通讯录变更): create_user, update_user,
	// delete_user, create_party, update_party, delete_party, update_tag.
	ChangeType string `xml:"ChangeType"`
	UserID     string `xml:"UserID"`
	NewUserID  string `xml:"NewUserID"`
	// LOCATION event (periodic position report).
	Latitude  float64 `xml:"Latitude"`
	Longitude float64 `xml:"Longitude"`
}

// ParseMessage parses a decrypted callback message.
func ParseMessage(data []byte) (*Message, error) {
	var m Message
	if err := xml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("parse message: %w", ErrXML)
	}
	m.MsgType = strings.TrimSpace(m.MsgType)
	m.MsgID = strings.TrimSpace(m.MsgID)
	if m.MsgType == "" || m.FromUserName == "" {
		return nil, fmt.Errorf("parse message: no MsgType or FromUserName: %w", ErrXML)
	}
	if m.MsgType != MsgTypeEvent && m.MsgID == "" && m.CreateTime == 0 {
		return nil, fmt.Errorf("parse message: neither MsgId nor CreateTime: %w", ErrXML)
	}
	return &m, nil
}

// DedupKey identifies the message across WeCom's retries: the MsgId, or for
// events (which have none) FromUserName:CreateTime as WeCom advises, with
// the event, its key and the card's task id added: CreateTime counts
// seconds, and a member who opens the app and taps the menu, or taps two
// buttons, within one second sends different events that must not be
// mistaken for retries of each other. A retry repeats them all.
func (m *Message) DedupKey() string {
	if m.MsgID != "" {
		return m.MsgID
	}
	key := m.FromUserName + ":" + strconv.FormatInt(m.CreateTime, 10)
	if m.Event != "" {
		key += ":" + m.Event + ":" + m.EventKey
	}
	if m.TaskID != "" {
		key += ":" + m.TaskID
	}
	return key
}

// Name returns the file name of a file message, falling back to the media
// id (with an extension for images).
func (m *Message) Name() string {
	switch {
	case m.FileName != "":
		return m.FileName
	case m.Title != "":
		return m.Title
	case m.MsgType == MsgTypeImage:
		return m.MediaID + ".jpg"
	case m.Format != "":
		return m.MediaID + "." + m.Format
	}
	return m.MediaID
}
