package wecom_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// newHTTPServer serves h until the test ends and returns its URL.
func newHTTPServer(t *testing.T, h http.Handler) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}
