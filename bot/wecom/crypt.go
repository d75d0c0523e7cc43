// Package wecom is campaignbot's WeCom (企业微信) self-built application
// adapter: the callback crypto (WXBizMsgCrypt), the receiver that stores
// callbacks before answering, the API client and sender, and the group robot.
package wecom

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Callback errors. Each names one cause so that the receiver can answer
// 401 (signature, staleness, replay) or 400 (everything else).
var (
	ErrSignature = errors.New("wecom: signature mismatch")
	ErrCorpID    = errors.New("wecom: corp id mismatch")
	ErrPadding   = errors.New("wecom: bad padding")
	ErrBase64    = errors.New("wecom: bad base64")
	ErrXML       = errors.New("wecom: bad xml")
	ErrStale     = errors.New("wecom: stale timestamp")
	ErrReplay    = errors.New("wecom: replayed nonce")
	ErrLength    = errors.New("wecom: bad message length")
	ErrKey       = errors.New("wecom: bad encoding aes key")
)

// blockSize is the PKCS#7 block WXBizMsgCrypt pads to (not AES's 16).
const blockSize = 32

// Crypt is WXBizMsgCrypt: it signs, encrypts and decrypts callback messages
// for one application (token, EncodingAESKey, corp id).
type Crypt struct {
	token  string
	corpID string
	block  cipher.Block
	iv     []byte
	rand   io.Reader
}

// NewCrypt returns a Crypt for the application's callback settings. The
// EncodingAESKey is 43 characters of base64 without its trailing "=".
// Of the options only WithRandom applies.
func NewCrypt(token, encodingAESKey, corpID string, opts ...Option) (*Crypt, error) {
	o := newOptions(opts)
	if token == "" || corpID == "" {
		return nil, fmt.Errorf("new crypt: token and corp id are required: %w", ErrKey)
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("new crypt: encoding aes key must be 43 base64 characters: %w", ErrKey)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("new crypt: %w", err)
	}
	return &Crypt{token: token, corpID: corpID, block: block, iv: key[:16], rand: o.random}, nil
}

// CorpID returns the corp id the Crypt checks.
func (c *Crypt) CorpID() string { return c.corpID }

// Signature returns the msg_signature of a callback: the SHA-1 hex digest of
// the token, timestamp, nonce and Encrypt sorted and concatenated.
func (c *Crypt) Signature(timestamp, nonce, encrypt string) string {
	parts := []string{c.token, timestamp, nonce, encrypt}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// verify compares signatures in constant time.
func (c *Crypt) verify(msgSignature, timestamp, nonce, encrypt string) error {
	want := c.Signature(timestamp, nonce, encrypt)
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(msgSignature))) != 1 {
		return ErrSignature
	}
	return nil
}

// VerifyURL checks the URL verification request WeCom sends when the
// callback is configured and returns the decrypted echostr, which must be
// answered as the bare response body.
func (c *Crypt) VerifyURL(msgSignature, timestamp, nonce, echostr string) ([]byte, error) {
	if err := c.verify(msgSignature, timestamp, nonce, echostr); err != nil {
		return nil, fmt.Errorf("verify url: %w", err)
	}
	msg, err := c.Decrypt(echostr)
	if err != nil {
		return nil, fmt.Errorf("verify url: %w", err)
	}
	return msg, nil
}

// Decrypt decrypts a base64 Encrypt value, checks the padding, the length
// field and the corp id, and returns the message.
func (c *Crypt) Decrypt(encrypted string) ([]byte, error) {
	data, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", ErrBase64)
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("decrypt: ciphertext of %d bytes: %w", len(data), ErrPadding)
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(c.block, c.iv).CryptBlocks(plain, data)
	plain, err = unpad(plain)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	if len(plain) < 20 {
		return nil, fmt.Errorf("decrypt: plaintext of %d bytes: %w", len(plain), ErrLength)
	}
	n := binary.BigEndian.Uint32(plain[16:20])
	if uint64(n) > uint64(len(plain)-20) {
		return nil, fmt.Errorf("decrypt: length %d beyond %d bytes: %w", n, len(plain)-20, ErrLength)
	}
	msg, corp := plain[20:20+n], plain[20+n:]
	if string(corp) != c.corpID {
		return nil, fmt.Errorf("decrypt: %w", ErrCorpID)
	}
	return msg, nil
}

// unpad removes PKCS#7 padding to 32-byte blocks.
func unpad(b []byte) ([]byte, error) {
	p := int(b[len(b)-1])
	if p < 1 || p > blockSize || p > len(b) {
		return nil, ErrPadding
	}
	for _, v := range b[len(b)-p:] {
		if int(v) != p {
			return nil, ErrPadding
		}
	}
	return b[:len(b)-p], nil
}

// Encrypt encrypts msg for the corp and returns it in base64, as WeCom puts
// it in the Encrypt element.
func (c *Crypt) Encrypt(msg []byte) (string, error) {
	n := 20 + len(msg) + len(c.corpID)
	p := blockSize - n%blockSize
	plain := make([]byte, n+p)
	if _, err := io.ReadFull(c.rand, plain[:16]); err != nil {
		return "", fmt.Errorf("encrypt: random prefix: %w", err)
	}
	binary.BigEndian.PutUint32(plain[16:20], uint32(len(msg)))
	copy(plain[20:], msg)
	copy(plain[20+len(msg):], c.corpID)
	for i := n; i < len(plain); i++ {
		plain[i] = byte(p)
	}
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(c.block, c.iv).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out), nil
}

// envelope is the XML body of an encrypted callback POST.
type envelope struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName string   `xml:"ToUserName"`
	AgentID    string   `xml:"AgentID"`
	Encrypt    string   `xml:"Encrypt"`
}

// parseEnvelope returns the Encrypt element of a callback body.
func parseEnvelope(body []byte) (string, error) {
	var env envelope
	if err := xml.Unmarshal(body, &env); err != nil {
		return "", fmt.Errorf("parse envelope: %w", ErrXML)
	}
	enc := strings.TrimSpace(env.Encrypt)
	if enc == "" {
		return "", fmt.Errorf("parse envelope: no Encrypt element: %w", ErrXML)
	}
	return enc, nil
}

// DecryptMessage checks and decrypts a callback POST body
// (<xml><ToUserName/><AgentID/><Encrypt/></xml>) and returns the message XML.
func (c *Crypt) DecryptMessage(msgSignature, timestamp, nonce string, body []byte) ([]byte, error) {
	enc, err := parseEnvelope(body)
	if err != nil {
		return nil, fmt.Errorf("decrypt message: %w", err)
	}
	if err := c.verify(msgSignature, timestamp, nonce, enc); err != nil {
		return nil, fmt.Errorf("decrypt message: %w", err)
	}
	msg, err := c.Decrypt(enc)
	if err != nil {
		return nil, fmt.Errorf("decrypt message: %w", err)
	}
	return msg, nil
}

// cdata marshals as a CDATA section.
type cdata struct {
	Value string `xml:",cdata"`
}

// replyEnvelope is the encrypted passive reply.
type replyEnvelope struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      cdata    `xml:"Encrypt"`
	MsgSignature cdata    `xml:"MsgSignature"`
	TimeStamp    string   `xml:"TimeStamp"`
	Nonce        cdata    `xml:"Nonce"`
}

// EncryptMessage encrypts msg and returns the passive reply envelope
// (Encrypt, MsgSignature, TimeStamp, Nonce).
func (c *Crypt) EncryptMessage(msg []byte, timestamp, nonce string) ([]byte, error) {
	enc, err := c.Encrypt(msg)
	if err != nil {
		return nil, fmt.Errorf("encrypt message: %w", err)
	}
	out, err := xml.Marshal(replyEnvelope{
		Encrypt:      cdata{enc},
		MsgSignature: cdata{c.Signature(timestamp, nonce, enc)},
		TimeStamp:    timestamp,
		Nonce:        cdata{nonce},
	})
	if err != nil {
		return nil, fmt.Errorf("encrypt message: %w", err)
	}
	return out, nil
}

// EncryptCallback builds what WeCom sends to the callback URL for msg: the
// msg_signature to put in the query and the POST body. Tests and tools use it
// to play the WeCom side.
func (c *Crypt) EncryptCallback(msg []byte, toUserName, agentID, timestamp, nonce string) (msgSignature string, body []byte, err error) {
	enc, err := c.Encrypt(msg)
	if err != nil {
		return "", nil, fmt.Errorf("encrypt callback: %w", err)
	}
	var b bytes.Buffer
	b.WriteString("<xml><ToUserName><![CDATA[")
	b.WriteString(toUserName)
	b.WriteString("]]></ToUserName><AgentID><![CDATA[")
	b.WriteString(agentID)
	b.WriteString("]]></AgentID><Encrypt><![CDATA[")
	b.WriteString(enc)
	b.WriteString("]]></Encrypt></xml>")
	return c.Signature(timestamp, nonce, enc), b.Bytes(), nil
}

// CheckTimestamp returns ErrStale when the callback timestamp (seconds since
// the epoch) is further than maxAge from now in either direction.
func CheckTimestamp(timestamp string, now time.Time, maxAge time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("check timestamp %q: %w", timestamp, ErrStale)
	}
	d := now.Sub(time.Unix(ts, 0))
	if d > maxAge || d < -maxAge {
		return fmt.Errorf("check timestamp: %s off: %w", d.Round(time.Second), ErrStale)
	}
	return nil
}
