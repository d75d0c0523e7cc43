package wecom

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseMessage feeds arbitrary decrypted callbacks to the parser: it
// never panics, and a message it accepts has a sender and a de-duplication
// key, so it can be stored and answered.
func FuzzParseMessage(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><MsgId>1</MsgId></xml>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMessage(data)
		if err != nil {
			return
		}
		if m.FromUserName == "" || m.DedupKey() == "" {
			t.Fatalf("accepted %q without a sender or key: %+v", data, m)
		}
	})
}
