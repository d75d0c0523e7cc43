package wecom

import (
	"bytes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"
)

// Tencent's published WXBizMsgCrypt sample.
const (
	vecToken     = "QDG6eK"
	vecAESKey    = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	vecCorpID    = "wx5823bf96d3bd56c7"
	vecSignature = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
	vecTimestamp = "1409659589"
	vecNonce     = "263014780"
	vecEchostr   = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	vecEcho      = "1616140317555161061"
)

// MustCrypt returns the Crypt of the official test vector.
func MustCrypt(tb testing.TB) *Crypt {
	tb.Helper()
	c, err := NewCrypt(vecToken, vecAESKey, vecCorpID)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestVerifyURLOfficialVector(t *testing.T) {
	c := MustCrypt(t)
	if got, want := c.Signature(vecTimestamp, vecNonce, vecEchostr), vecSignature; got != want {
		t.Fatalf("Signature = %s, want %s", got, want)
	}
	got, err := c.VerifyURL(vecSignature, vecTimestamp, vecNonce, vecEchostr)
	if err != nil {
		t.Fatal(err)
	}
	if want := vecEcho; string(got) != want {
		t.Fatalf("VerifyURL = %q, want %q", got, want)
	}
	// Signatures are hex; upper case is the same digest.
	if _, err := c.VerifyURL(strings.ToUpper(vecSignature), vecTimestamp, vecNonce, vecEchostr); err != nil {
		t.Fatalf("upper-case signature: %v", err)
	}
}

func TestNewCryptRejectsBadKey(t *testing.T) {
	for _, key := range []string{"", "short", vecAESKey + "A", strings.Repeat("!", 43)} {
		if _, err := NewCrypt(vecToken, key, vecCorpID); !errors.Is(err, ErrKey) {
			t.Errorf("NewCrypt(key %q) = %v, want ErrKey", key, err)
		}
	}
}

func TestEncryptDecryptRoundTrip(t *testing.T) {
	c := MustCrypt(t)
	tests := []struct {
		name string
		msg  string
	}{
		{"empty", ""},
		{"ascii", "hello"},
		{"chinese", "学习笔记：深入学习实践科学发展观，第一阶段。"},
		// 20 + 12 + 18 (corp id) = 50 bytes → pad 14; 20+26+18 = 64 → a whole block of padding.
		{"whole padding block", strings.Repeat("x", 26)},
		{"long", strings.Repeat("整改台账 ", 700)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := c.Encrypt([]byte(tt.msg))
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Decrypt(enc)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.msg {
				t.Fatalf("round trip = %q, want %q", got, tt.msg)
			}
		})
	}
}

func TestEncryptWholeBlockPadding(t *testing.T) {
	c := MustCrypt(t)
	msg := strings.Repeat("x", 2*blockSize-20-len(vecCorpID))
	enc, err := c.Encrypt([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(enc)
	plain := decryptRaw(t, raw)
	if got, want := len(plain), 3*blockSize; got != want {
		t.Fatalf("padded length = %d, want %d", got, want)
	}
	if got, want := plain[len(plain)-1], byte(blockSize); got != want {
		t.Fatalf("pad byte = %d, want %d", got, want)
	}
	if got, err := c.Decrypt(enc); err != nil || string(got) != msg {
		t.Fatalf("Decrypt = %q, %v", got, err)
	}
}

func TestEncryptLengthIsBytes(t *testing.T) {
	c := MustCrypt(t)
	msg := "中文"
	enc, err := c.Encrypt([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(enc)
	plain := decryptRaw(t, raw)
	if got, want := binary.BigEndian.Uint32(plain[16:20]), uint32(6); got != want {
		t.Fatalf("length field = %d, want %d (bytes)", got, want)
	}
}

func TestEncryptUsesInjectedRandom(t *testing.T) {
	c, err := NewCrypt(vecToken, vecAESKey, vecCorpID, WithRandom(bytes.NewReader(bytes.Repeat([]byte{7}, 32))))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := c.Encrypt([]byte("a"))
	b, _ := c.Encrypt([]byte("a"))
	if a != b {
		t.Fatal("same random prefix gave different ciphertexts")
	}
	if _, err := c.Encrypt([]byte("a")); err == nil {
		t.Fatal("exhausted random reader: no error")
	}
}

// decryptRaw decrypts without unpadding, to look at the padding.
func decryptRaw(t *testing.T, raw []byte) []byte {
	t.Helper()
	c := MustCrypt(t)
	out := make([]byte, len(raw))
	cipher.NewCBCDecrypter(c.block, c.iv).CryptBlocks(out, raw)
	return out
}

// encryptRaw encrypts plain (already padded) with the vector's key.
func encryptRaw(t *testing.T, plain []byte) string {
	t.Helper()
	c := MustCrypt(t)
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(c.block, c.iv).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out)
}

// plaintext builds random(16) + length + msg + corp, padded with pad bytes of value padValue.
func plaintext(msg, corp string, length uint32, padLen int, padValue byte) []byte {
	b := make([]byte, 20, 20+len(msg)+len(corp)+padLen)
	binary.BigEndian.PutUint32(b[16:20], length)
	b = append(b, msg...)
	b = append(b, corp...)
	for range padLen {
		b = append(b, padValue)
	}
	return b
}

func TestDecryptRejects(t *testing.T) {
	c := MustCrypt(t)
	good := plaintext("hi", vecCorpID, 2, 24, 24) // 20+2+18 = 40, pad 24 → 64
	if got, err := c.Decrypt(encryptRaw(t, good)); err != nil || string(got) != "hi" {
		t.Fatalf("control: Decrypt = %q, %v", got, err)
	}
	badInner := plaintext("hi", vecCorpID, 2, 24, 24)
	badInner[len(badInner)-5] = 3
	tests := []struct {
		name string
		enc  string
		want error
	}{
		{"bad base64", "not base64!!", ErrBase64},
		{"empty", "", ErrPadding},
		{"not block multiple", base64.StdEncoding.EncodeToString(make([]byte, 20)), ErrPadding},
		{"pad zero", encryptRaw(t, plaintext("hi", vecCorpID, 2, 24, 0)), ErrPadding},
		{"pad over 32", encryptRaw(t, plaintext("hi", vecCorpID, 2, 24, 33)), ErrPadding},
		{"pad inconsistent", encryptRaw(t, badInner), ErrPadding},
		{"wrong corp id", encryptRaw(t, plaintext("hi", "wx0000000000000000", 2, 24, 24)), ErrCorpID},
		{"length beyond buffer", encryptRaw(t, plaintext("hi", vecCorpID, 1000, 24, 24)), ErrLength},
		{"length huge", encryptRaw(t, plaintext("hi", vecCorpID, 0xffffffff, 24, 24)), ErrLength},
		{"too short", encryptRaw(t, append(make([]byte, 16), bytes.Repeat([]byte{16}, 16)...)), ErrLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Decrypt(tt.enc)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decrypt = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDecryptWrongCorpID(t *testing.T) {
	other, err := NewCrypt(vecToken, vecAESKey, "ww0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := other.Encrypt([]byte("<xml/>"))
	if _, err := MustCrypt(t).Decrypt(enc); !errors.Is(err, ErrCorpID) {
		t.Fatalf("Decrypt = %v, want ErrCorpID", err)
	}
}

func TestDecryptMessage(t *testing.T) {
	c := MustCrypt(t)
	msg := []byte("<xml><Content><![CDATA[你好]]></Content></xml>")
	sig, body, err := c.EncryptCallback(msg, vecCorpID, "1000002", vecTimestamp, vecNonce)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.DecryptMessage(sig, vecTimestamp, vecNonce, body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("DecryptMessage = %q, want %q", got, msg)
	}

	enc, _ := parseEnvelope(body)
	badPad := encryptRaw(t, plaintext("hi", vecCorpID, 2, 24, 0))
	envelopeOf := func(enc string) []byte {
		return []byte("<xml><ToUserName><![CDATA[x]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
	}
	tests := []struct {
		name      string
		sig, ts   string
		body      []byte
		want      error
		signItOur bool
	}{
		{"wrong signature", strings.Repeat("0", 40), vecTimestamp, body, ErrSignature, false},
		{"signature of other timestamp", sig, "1409659590", body, ErrSignature, false},
		{"bad xml", "", vecTimestamp, []byte("<xml><Encrypt>"), ErrXML, false},
		{"no encrypt", "", vecTimestamp, []byte("<xml><ToUserName>x</ToUserName></xml>"), ErrXML, false},
		{"not xml", "", vecTimestamp, []byte("{}"), ErrXML, false},
		{"bad base64", "", vecTimestamp, envelopeOf("%%%%"), ErrBase64, true},
		{"bad padding", "", vecTimestamp, envelopeOf(badPad), ErrPadding, true},
		{"good", sig, vecTimestamp, envelopeOf(enc), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := tt.sig
			if tt.signItOur {
				e, err := parseEnvelope(tt.body)
				if err != nil {
					t.Fatal(err)
				}
				sig = c.Signature(tt.ts, vecNonce, e)
			}
			_, err := c.DecryptMessage(sig, tt.ts, vecNonce, tt.body)
			if !errors.Is(err, tt.want) {
				t.Fatalf("DecryptMessage = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestEncryptMessageReplyEnvelope(t *testing.T) {
	c := MustCrypt(t)
	out, err := c.EncryptMessage([]byte("<xml><Content>ok</Content></xml>"), vecTimestamp, vecNonce)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"<xml>", "<Encrypt><![CDATA[", "<MsgSignature><![CDATA[", "<TimeStamp>" + vecTimestamp + "</TimeStamp>", "<Nonce><![CDATA[" + vecNonce + "]]></Nonce>"} {
		if !strings.Contains(s, want) {
			t.Errorf("reply %s lacks %s", s, want)
		}
	}
	var env replyEnvelope
	if err := xml.Unmarshal(out, &env); err != nil {
		t.Fatal(err)
	}
	if got, want := env.MsgSignature.Value, c.Signature(vecTimestamp, vecNonce, env.Encrypt.Value); got != want {
		t.Fatalf("MsgSignature = %s, want %s", got, want)
	}
	got, err := c.Decrypt(env.Encrypt.Value)
	if err != nil || string(got) != "<xml><Content>ok</Content></xml>" {
		t.Fatalf("Decrypt(reply) = %q, %v", got, err)
	}
}

func TestCheckTimestamp(t *testing.T) {
	now := time.Unix(1409659589, 0)
	tests := []struct {
		ts   string
		want error
	}{
		{"1409659589", nil},
		{"1409659289", nil},
		{"1409659288", ErrStale},
		{"1409659889", nil},
		{"1409659890", ErrStale},
		{"", ErrStale},
		{"abc", ErrStale},
		{"99999999999999999", ErrStale},
	}
	for _, tt := range tests {
		if err := CheckTimestamp(tt.ts, now, 5*time.Minute); !errors.Is(err, tt.want) {
			t.Errorf("CheckTimestamp(%q) = %v, want %v", tt.ts, err, tt.want)
		}
	}
}

func FuzzDecrypt(f *testing.F) {
	c := MustCrypt(f)
	f.Add(vecEchostr)
	f.Add("")
	f.Add("AAAA")
	enc, _ := c.Encrypt([]byte("seed"))
	f.Add(enc)
	f.Fuzz(func(t *testing.T, s string) {
		msg, err := c.Decrypt(s)
		if err == nil {
			// Whatever decrypts must re-encrypt to something that decrypts the same.
			again, err := c.Encrypt(msg)
			if err != nil {
				t.Fatal(err)
			}
			back, err := c.Decrypt(again)
			if err != nil || !bytes.Equal(back, msg) {
				t.Fatalf("round trip of %q: %q, %v", msg, back, err)
			}
		}
	})
}

func FuzzDecryptMessage(f *testing.F) {
	c := MustCrypt(f)
	_, body, _ := c.EncryptCallback([]byte("<xml/>"), vecCorpID, "1", vecTimestamp, vecNonce)
	f.Add(body, vecTimestamp, vecNonce)
	f.Add([]byte("<xml><Encrypt>"), "", "")
	f.Add([]byte("<xml><Encrypt><![CDATA["+vecEchostr+"]]></Encrypt></xml>"), vecTimestamp, vecNonce)
	f.Fuzz(func(t *testing.T, body []byte, ts, nonce string) {
		if _, err := c.DecryptMessage("", ts, nonce, body); !errors.Is(err, ErrSignature) && !errors.Is(err, ErrXML) {
			t.Fatalf("unsigned message: %v", err)
		}
		// Sign what the envelope holds to reach the decryption.
		if enc, err := parseEnvelope(body); err == nil {
			_, _ = c.DecryptMessage(c.Signature(ts, nonce, enc), ts, nonce, body)
		}
	})
}
