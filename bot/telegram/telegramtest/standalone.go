package telegramtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
)

// New starts a fake Bot API for token outside a test, for the benchmark
// command; the caller must Close it. NewServer is the form for tests.
func New(token string, opts ...Option) *Server {
	s := &Server{
		token:       token,
		username:    DefaultBotUsername,
		nextUpdate:  1,
		nextMessage: 1,
		wake:        make(chan struct{}),
		sent:        map[string][]*SentMessage{},
		byID:        map[int]*SentMessage{},
		files:       map[string]*storedFile{},
		paths:       map[string]*storedFile{},
		failures:    map[string][]failure{},
		commands:    map[string]CommandSet{},
		answered:    map[string]bool{},
		hooks:       map[string]func(Call){},
		raw:         map[int64]json.RawMessage{},
		albumGap:    DefaultAlbumGap,
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}
