package wecom

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"campaignbot"
)

// GroupChatID is the outbox ChatID of the campaign group, which WeCom
// reaches through the group robot.
const GroupChatID = "group"

// Card text limits (WeCom recommends them; longer text is cut by clients).
const (
	maxCardTitleRunes    = 36
	maxCardSubTitleRunes = 160
)

// AttachmentFiles locates stored attachments; campaignbot's
// SubmissionService implements it.
type AttachmentFiles interface {
	AttachmentPath(sha256 string) string
}

// Sender delivers outbox messages through WeCom: to a member (ChatID is the
// WeCom UserID) as text, template cards and files through the application,
// and to GroupChatID through the group robot. Pacing per member (30/min,
// 1000/h) is the dispatcher's job.
type Sender struct {
	client *Client
	robot  *Robot
	files  AttachmentFiles
	lang   string // of the title of a card sent without text
	// progress keeps the parts delivered in the store, for the next process.
	progress campaignbot.OutboxProgress
	log      *slog.Logger
	words    *Words // nil: texts as written

	mu   sync.Mutex
	done map[int64]int // API messages already delivered, by outbox row
}

var _ campaignbot.Sender = (*Sender)(nil)

// NewSender returns a Sender. robot may be nil when no group robot is
// configured; files may be nil when no message carries files. Options:
// WithLang.
func NewSender(client *Client, robot *Robot, files AttachmentFiles, opts ...Option) *Sender {
	o := newOptions(opts)
	return &Sender{client: client, robot: robot, files: files, lang: o.lang, done: map[int64]int{},
		progress: o.progress, log: o.logger, words: o.words}
}

// Platform returns campaignbot.PlatformWeCom.
func (s *Sender) Platform() campaignbot.Platform { return campaignbot.PlatformWeCom }

// Send delivers m and returns the msgid of its first message ("" for the
// group robot, which returns none). Errors are *campaignbot.SendError.
// A message sent as several API messages (long text, cards, files) that
// fails half-way goes on, when retried, from the part that failed.
func (s *Sender) Send(ctx context.Context, m *campaignbot.OutboxMessage) (string, error) {
	var id string
	var err error
	if m.ChatID == GroupChatID {
		err = s.sendGroup(ctx, m)
	} else {
		id, err = s.sendMember(ctx, m)
	}
	if err != nil {
		return id, ClassifyError(fmt.Errorf("wecom send %d: %w", m.ID, err))
	}
	return id, nil
}

var _ campaignbot.BatchSender = (*Sender)(nil)

// BatchKey lets a plain text to a member, one WeCom message long, go with
// others of the same text in one touser call.
func (s *Sender) BatchKey(m *campaignbot.OutboxMessage) (string, bool) {
	if m.ChatID == GroupChatID || len(m.Buttons) > 0 || len(m.Files) > 0 || m.PartsSent > 0 {
		return "", false
	}
	text := s.words.Apply(m.Text)
	if strings.TrimSpace(text) == "" || len(SplitText(text, MaxTextBytes)) != 1 {
		return "", false
	}
	return text, true
}

// MaxBatch is WeCom's touser limit.
func (s *Sender) MaxBatch() int { return MaxToUsers }

// SendBatch sends the rows' one text to their members in one call. A
// member WeCom refuses is that row's Unreachable error, the others are
// sent; a fault of the deployment is every row's error. Any other failure
// (45009 for some member, WeCom busy) cannot say whose it is: each row is
// then sent alone, so that only the members concerned are held back.
func (s *Sender) SendBatch(ctx context.Context, ms []*campaignbot.OutboxMessage) ([]string, []error) {
	ids, errs := make([]string, len(ms)), make([]error, len(ms))
	users := make([]string, len(ms))
	for i, m := range ms {
		users[i] = m.ChatID
	}
	text, _ := s.BatchKey(ms[0])
	msgID, refused, err := s.client.SendTextToMany(ctx, users, text)
	if err != nil {
		se := ClassifyError(fmt.Errorf("wecom send %d and %d more: %w", ms[0].ID, len(ms)-1, err))
		if se.Fault != nil {
			for i := range errs {
				errs[i] = se
			}
			return ids, errs
		}
		for i, m := range ms {
			ids[i], errs[i] = s.Send(ctx, m)
		}
		return ids, errs
	}
	out := map[string]bool{}
	for _, u := range refused {
		out[strings.ToLower(u)] = true
	}
	for i, m := range ms {
		if out[strings.ToLower(m.ChatID)] {
			errs[i] = ClassifyError(fmt.Errorf("wecom send %d: %w", m.ID, &InvalidUserError{Users: []string{m.ChatID}}))
			continue
		}
		ids[i] = msgID
	}
	return ids, errs
}

// Parts returns how many WeCom messages m becomes, for the dispatcher's
// per-member limits.
func (s *Sender) Parts(m *campaignbot.OutboxMessage) int {
	if m.ChatID == GroupChatID {
		return 1
	}
	return len(s.steps(context.Background(), m))
}

func (s *Sender) sendMember(ctx context.Context, m *campaignbot.OutboxMessage) (string, error) {
	steps := s.steps(ctx, m)
	if len(steps) == 0 {
		return "", campaignbot.Errorf(campaignbot.EINVALID, "empty message")
	}

	// Parts delivered by an earlier attempt of this row are not sent again.
	s.mu.Lock()
	from := max(s.done[m.ID], min(m.PartsSent, len(steps)-1))
	s.mu.Unlock()
	var first string
	for i := from; i < len(steps); i++ {
		id, err := steps[i]()
		if err != nil {
			return first, err
		}
		if first == "" {
			first = id
		}
		if m.ID != 0 {
			s.mu.Lock()
			s.done[m.ID] = i + 1
			s.mu.Unlock()
			if s.progress != nil && i < len(steps)-1 {
				if err := s.progress.MarkOutboxParts(context.WithoutCancel(ctx), m.ID, i+1); err != nil {
					s.log.Warn("wecom: record the parts sent", "outbox", m.ID, "err", err)
				}
			}
		}
	}
	s.mu.Lock()
	delete(s.done, m.ID)
	s.mu.Unlock()
	return first, nil
}

// steps returns m as the API messages that carry it, each a step to run.
func (s *Sender) steps(ctx context.Context, m *campaignbot.OutboxMessage) []func() (string, error) {
	var steps []func() (string, error)
	msgText := s.words.Apply(m.Text)
	text := func(t string) {
		for _, part := range SplitText(t, MaxTextBytes) {
			steps = append(steps, func() (string, error) { return s.client.SendText(ctx, m.ChatID, part) })
		}
	}
	var buttons []CardButton
	for _, row := range m.Buttons {
		for _, b := range row {
			key := b.Data
			if key == "" {
				key = b.Text
			}
			buttons = append(buttons, CardButton{Text: b.Text, Key: JoinCardKey(key, b.Text)})
		}
	}
	switch {
	case len(buttons) > 0:
		body := msgText
		if slices.ContainsFunc(buttons, func(b CardButton) bool { return utf8.RuneCountInString(b.Text) > MaxButtonRunes }) {
			// WeCom shows about 10 characters on a button: long options
			// (a survey's) are listed in full on the card and numbered on
			// the buttons.
			lines := make([]string, len(buttons))
			for i := range buttons {
				label := buttons[i].Text
				if !numbered.MatchString(label) {
					label = fmt.Sprintf("%d. %s", i+1, label)
				}
				lines[i] = label
				buttons[i].Text = truncateRunes(label, MaxButtonRunes)
			}
			body = strings.TrimRight(body, "\n") + "\n" + strings.Join(lines, "\n")
		}
		pre, cards := cardsFor(body, buttons, campaignbot.T(s.lang, "wecom.card_title"))
		if pre != "" {
			text(pre)
		}
		for _, card := range cards {
			steps = append(steps, func() (string, error) { return s.client.SendTemplateCard(ctx, m.ChatID, card) })
		}
	case strings.TrimSpace(msgText) != "":
		text(msgText)
	}
	for _, f := range m.Files {
		steps = append(steps, func() (string, error) { return s.sendFile(ctx, m.ChatID, f) })
	}
	return steps
}

// sendFile uploads a stored attachment and sends it, as an image when it
// is a photo small enough for one.
func (s *Sender) sendFile(ctx context.Context, to string, f campaignbot.Attachment) (string, error) {
	data, err := s.readFile(f)
	if err != nil {
		return "", err
	}
	kind := MediaFile
	if isPhoto(f.MIME) && len(data) <= mediaLimits[MediaImage] {
		kind = MediaImage
	}
	mediaID, err := s.client.UploadMedia(ctx, kind, f.Name, data)
	if err != nil {
		return "", err
	}
	if kind == MediaImage {
		return s.client.SendImage(ctx, to, mediaID)
	}
	return s.client.SendFile(ctx, to, mediaID)
}

// markdownMarks are the characters WeCom's markdown reads as formatting,
// and the full-width forms that show the same character as text.
var markdownMarks = strings.NewReplacer(
	"*", "＊", "_", "＿", "`", "｀", "[", "［", "]", "］", "<", "＜", ">", "＞", "#", "＃", "~", "～",
)

// EscapeMarkdown makes text show as written in a markdown message: a
// member's "**重要**" or "<font color>" is not formatting. Chinese text
// already uses the full-width forms.
func EscapeMarkdown(text string) string { return markdownMarks.Replace(text) }

// numbered is an option that carries its number already ("1. …").
var numbered = regexp.MustCompile(`^[0-9]+[.、．]`)

// MaxButtonRunes is about what a card button shows.
const MaxButtonRunes = 10

// cardKeySep joins a button's key and its label in the key WeCom returns
// when the button is pressed, so that the updated card can show the choice.
const cardKeySep = "\u241E"

// maxLabelRunes bounds the label carried in a key and shown on the card.
const maxLabelRunes = 20

// JoinCardKey returns the button key carrying data and the label shown.
func JoinCardKey(data, label string) string {
	return data + cardKeySep + truncateRunes(label, maxLabelRunes)
}

// SplitCardKey returns what JoinCardKey joined; a key without a label
// (a menu click) is returned whole.
func SplitCardKey(key string) (data, label string) {
	if i := strings.LastIndex(key, cardKeySep); i >= 0 {
		return key[:i], key[i+len(cardKeySep):]
	}
	return key, ""
}

// cardsFor lays text and buttons out as template cards: the first line is
// the title and the rest the card's text when they fit; otherwise the whole
// text goes first as a text message (pre) and the cards carry the first
// line only. More than MaxCardButtons buttons take several cards. Without
// text the title is defaultTitle: WeCom requires a title or description.
func cardsFor(text string, buttons []CardButton, defaultTitle string) (pre string, cards []TemplateCard) {
	text = strings.TrimSpace(text)
	title, rest, _ := strings.Cut(text, "\n")
	title, rest = strings.TrimSpace(title), strings.TrimSpace(rest)
	if utf8.RuneCountInString(title) > maxCardTitleRunes || utf8.RuneCountInString(rest) > maxCardSubTitleRunes {
		pre, rest = text, ""
		title = truncateRunes(title, maxCardTitleRunes)
	}
	if title == "" {
		title = defaultTitle
	}
	for i := 0; i < len(buttons); i += MaxCardButtons {
		card := TemplateCard{Title: title, Buttons: buttons[i:min(i+MaxCardButtons, len(buttons))]}
		if i == 0 {
			card.SubTitle = rest
		}
		cards = append(cards, card)
	}
	return pre, cards
}

// truncateRunes cuts s to n runes, marking the cut with an ellipsis.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// isPhoto reports whether WeCom shows a file of this type as an image.
func isPhoto(mimeType string) bool {
	return mimeType == "image/jpeg" || mimeType == "image/png"
}

func (s *Sender) readFile(a campaignbot.Attachment) ([]byte, error) {
	if s.files == nil {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "no attachment store to read %s", a.Name)
	}
	data, err := os.ReadFile(s.files.AttachmentPath(a.SHA256))
	if err != nil {
		return nil, fmt.Errorf("read attachment %s: %w", a.SHA256, err)
	}
	return data, nil
}

func (s *Sender) sendGroup(ctx context.Context, m *campaignbot.OutboxMessage) error {
	if s.robot == nil {
		return campaignbot.Errorf(campaignbot.EINVALID, "no WeCom group robot configured")
	}
	if strings.TrimSpace(m.Text) == "" && len(m.Files) == 0 {
		return campaignbot.Errorf(campaignbot.EINVALID, "empty message")
	}
	if strings.TrimSpace(m.Text) != "" {
		if err := s.robot.SendMarkdown(ctx, EscapeMarkdown(s.words.Apply(m.Text))); err != nil {
			return err
		}
	}
	for _, f := range m.Files {
		data, err := s.readFile(f)
		if err != nil {
			return err
		}
		if isPhoto(f.MIME) && len(data) <= MaxRobotImageBytes {
			err = s.robot.SendImage(ctx, data)
		} else {
			err = s.robot.SendFile(ctx, f.Name, data)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
