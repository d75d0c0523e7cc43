package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"campaignbot"
	"campaignbot/store"
)

// testImage draws a w×h picture: a colour field with a dark band, so that
// a conversion that loses it shows.
func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: uint8(40 + 200*x/w), G: uint8(120 + 100*y/h), B: 200, A: 255}
			if y > h/3 && y < h/2 {
				c = color.RGBA{R: 30, G: 30, B: 90, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

func mustPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func mustJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exportFixture is the demo organisation with submissions that carry
// files, as members send them in chat: photos under one name, a document,
// a voice note with no name, and one whose bytes were lost.
type exportFixture struct {
	db      string
	lost    string // the materials path of the lost file
	photo   []byte
	scan    []byte
	docx    []byte
	wantZip map[string][]byte
}

func newExportFixture(t *testing.T) *exportFixture {
	t.Helper()
	dir := t.TempDir()
	fx := &exportFixture{db: filepath.Join(dir, "demo.db")}
	if code, _, stderr := run(t, nil, "", "run", "--demo", "--db", fx.db); code != 0 {
		t.Fatalf("seed demo: %d %s", code, stderr)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, fx.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	people, err := db.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*campaignbot.Person{}
	for _, p := range people {
		byName[p.Name] = p
	}
	save := func(name, mime string, data []byte) campaignbot.Attachment {
		a, err := db.SaveAttachment(ctx, name, mime, data)
		if err != nil {
			t.Fatal(err)
		}
		return *a
	}
	submit := func(name, task, text string, files ...campaignbot.Attachment) {
		p := byName[name]
		if err := db.CreateSubmission(ctx, &campaignbot.Submission{TaskKey: task, PersonID: p.ID, DepartmentID: p.DepartmentID, Text: text, Attachments: files}); err != nil {
			t.Fatal(err)
		}
	}
	fx.photo, fx.scan, fx.docx = mustJPEG(t, 1600, 1200), mustPNG(t, 300, 200), []byte("PK not really a document")
	second := mustJPEG(t, 1200, 1600)
	submit("孙静", "topic-speech", "专题发言：以科技服务助力企业创新。\n一、提高认识\n二、狠抓落实",
		save("photo.jpg", "image/jpeg", fx.photo), save("photo.jpg", "image/jpeg", second), save("发言稿.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", fx.docx))
	submit("孙静", "topic-speech", "专题发言（修改稿）", save("", "image/png", fx.scan))
	lost := save("会议记录.pdf", "application/pdf", []byte("%PDF-1.4 lost"))
	submit("郭燕", "topic-speech", "发言提纲", lost)
	if err := os.Remove(db.AttachmentPath(lost.SHA256)); err != nil {
		t.Fatal(err)
	}
	fx.lost = "专题发言及学习心得/农村科技科/郭燕/会议记录.pdf"
	fx.wantZip = map[string][]byte{
		"专题发言及学习心得/科技管理科/孙静/第1版_" + today(t) + "/photo.jpg":                 fx.photo,
		"专题发言及学习心得/科技管理科/孙静/第1版_" + today(t) + "/photo (2).jpg":             second,
		"专题发言及学习心得/科技管理科/孙静/第1版_" + today(t) + "/发言稿.docx":                  fx.docx,
		"专题发言及学习心得/科技管理科/孙静/第2版_" + today(t) + "/" + fx.scanName() + ".png": fx.scan,
	}
	return fx
}

// scanName is how the materials name a file sent without a name: the
// first digits of its sha256.
func (fx *exportFixture) scanName() string {
	return sha256Hex(fx.scan)[:12]
}

func today(t *testing.T) string {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return time.Now().In(loc).Format("2006-01-02")
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestExportMaterials exports the materials ZIP of a real store: each file
// under 任务/科室/姓名 (a version's folder when there are several) with its
// original name, names made unique, the workbook at the root naming the
// same paths, and the lost file reported and listed.
func TestExportMaterials(t *testing.T) {
	fx := newExportFixture(t)
	out := filepath.Join(t.TempDir(), "材料.zip")
	code, stdout, stderr := run(t, nil, "", "export", "--db", fx.db, "--materials", out)
	if code != 0 {
		t.Fatalf("export --materials: %d %s %s", code, stdout, stderr)
	}
	if want := "材料已写入 " + out + "（4 个文件）\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	if !strings.Contains(stderr, "存储中缺少 1 个附件") || !strings.Contains(stderr, "  "+fx.lost+"\n") {
		t.Errorf("stderr does not report the lost file:\n%s", stderr)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	got := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range fx.wantZip {
		if !bytes.Equal(got[name], want) {
			t.Errorf("%s: %d bytes, want %d", name, len(got[name]), len(want))
		}
	}
	if got, want := string(got["缺失文件清单.txt"]), fx.lost+"\r\n"; got != want {
		t.Errorf("missing list %q, want %q", got, want)
	}
	workbook := "深入学习实践科学发展观活动.xlsx"
	if len(got) != len(fx.wantZip)+2 || len(got[workbook]) == 0 {
		names := slices.Sorted(maps.Keys(got))
		t.Fatalf("the ZIP holds %q, want the %d files, the missing list and %s", names, len(fx.wantZip), workbook)
	}
	path := filepath.Join(t.TempDir(), "w.xlsx")
	if err := os.WriteFile(path, got[workbook], 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("提交明细")
	if err != nil {
		t.Fatal(err)
	}
	var named []string
	for _, row := range rows[1:] {
		if len(row) > 8 && row[8] != "" {
			named = append(named, strings.Split(row[8], "\n")...)
		}
	}
	slices.Sort(named)
	want := append(slices.Collect(maps.Keys(fx.wantZip)), fx.lost)
	slices.Sort(want)
	if !slices.Equal(named, want) {
		t.Errorf("the workbook's 附件 column names %q, want %q", named, want)
	}

	// Usage: no output asked for; a store that does not exist.
	if code, _, stderr := run(t, nil, "", "export", "--db", fx.db); code != 2 || !strings.Contains(stderr, "usage: campaignbot export") {
		t.Errorf("export without an output: exit %d, %q", code, stderr)
	}
	if code, _, _ := run(t, nil, "", "export", "--db", filepath.Join(t.TempDir(), "none.db"), "--materials", out); code != 2 {
		t.Errorf("export from a store that does not exist: exit %d, want 2", code)
	}
}

// TestExportDocument writes the three deliverables in one run from a real
// store; the document embeds the pictures once each, names the other
// files by their path in the materials, and reports the lost one.
func TestExportDocument(t *testing.T) {
	fx := newExportFixture(t)
	dir := t.TempDir()
	docx, zipFile, workbook := filepath.Join(dir, "材料汇编.docx"), filepath.Join(dir, "材料.zip"), filepath.Join(dir, "台账.xlsx")
	code, stdout, stderr := run(t, nil, "", "export", "--db", fx.db, "--docx", docx, "--materials", zipFile, "--out", workbook)
	if code != 0 {
		t.Fatalf("export: %d %s %s", code, stdout, stderr)
	}
	if want := "工作簿已写入 " + workbook + "\n材料已写入 " + zipFile + "（4 个文件）\n材料汇编已写入 " + docx + "\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	if got := strings.Count(stderr, "  "+fx.lost+"\n"); got != 2 {
		t.Errorf("the lost file is reported %d times, want once per deliverable that has it:\n%s", got, stderr)
	}
	zr, err := zip.OpenReader(docx)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var media []string
	var doc []byte
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "word/media/") {
			media = append(media, f.Name)
		}
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			doc, err = io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if want := []string{"word/media/image1.jpeg", "word/media/image2.jpeg", "word/media/image3.png"}; !slices.Equal(media, want) {
		t.Errorf("media %q, want %q", media, want)
	}
	if err := xml.Unmarshal(doc, new(struct{})); err != nil {
		t.Fatalf("document.xml: %v", err)
	}
	text := string(doc)
	for _, want := range []string{
		"深入学习实践科学发展观活动", "材料汇编", "孙静（科技管理科） 第2版", "专题发言：以科技服务助力企业创新。", "一、提高认识",
		"附件：" + firstKey(fx.wantZip, "发言稿.docx") + "（见材料压缩包）", "附件缺失：" + fx.lost,
		// The demo's own submissions are there too.
		"赵磊（科技管理科）", "科技管理科分析检查报告（初稿）",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the document lacks %q", want)
		}
	}

	// In English, with the English catalog.
	code, stdout, _ = run(t, nil, "", "export", "--db", fx.db, "--lang", "en", "--docx", docx)
	if want := "compiled materials written to " + docx + "\n"; code != 0 || stdout != want {
		t.Errorf("export --lang en: %d %q, want %q", code, stdout, want)
	}
}

// firstKey returns the key of m that ends in suffix.
func firstKey(m map[string][]byte, suffix string) string {
	for k := range m {
		if strings.HasSuffix(k, suffix) {
			return k
		}
	}
	return ""
}
