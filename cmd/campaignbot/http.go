package main

import (
	"net/http"
	"time"
)

// Limits of the HTTP server (SPEC §9). Webhook and callback requests are
// small and answered at once: a client that sends its headers or body
// slowly, or keeps an idle connection, is cut off within seconds rather
// than holding a connection (and its goroutine) for minutes. A handler that
// needs longer for one request (a large upload) extends its own deadline
// with http.ResponseController.
const (
	httpReadHeaderTimeout = 10 * time.Second
	httpReadTimeout       = 30 * time.Second
	httpWriteTimeout      = 60 * time.Second
	httpIdleTimeout       = 30 * time.Second
	// httpMaxHeaderBytes bounds a request's headers.
	httpMaxHeaderBytes = 64 << 10
	// httpMaxBody bounds every request's body; the webhook and callback
	// handlers set tighter limits of their own.
	httpMaxBody = 32 << 20
)

// httpLimits are the server's timeouts and body limit; tests shorten them.
type httpLimits struct {
	readHeader, read, write, idle time.Duration
	maxBody                       int64
}

func defaultHTTPLimits() httpLimits {
	return httpLimits{httpReadHeaderTimeout, httpReadTimeout, httpWriteTimeout, httpIdleTimeout, httpMaxBody}
}

// httpServer returns the server of --listen over m's routes.
func (m *Main) httpServer() *http.Server {
	l := m.httpLimits
	if l == (httpLimits{}) {
		l = defaultHTTPLimits()
	}
	return &http.Server{
		Handler:           http.MaxBytesHandler(m.mux, l.maxBody),
		ReadHeaderTimeout: l.readHeader,
		ReadTimeout:       l.read,
		WriteTimeout:      l.write,
		IdleTimeout:       l.idle,
		MaxHeaderBytes:    httpMaxHeaderBytes,
	}
}
