package export_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/export"
)

// picture draws a w×h image with a dark band across it.
func picture(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: uint8(60 + 180*x/w), G: 160, B: uint8(80 + 150*y/h), A: 255}
			if y > h/3 && y < h/2 {
				c = color.RGBA{R: 20, G: 40, B: 90, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

func encodeImage(t *testing.T, format string, w, h int) string {
	t.Helper()
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, picture(w, h))
	} else {
		err = jpeg.Encode(&b, picture(w, h), nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// docxSource is the test organisation with pictures, a document, a file
// lost from the store and text XML must escape.
func docxSource(t *testing.T) (*fakeSource, dirFiles) {
	t.Helper()
	dir := dirFiles(t.TempDir())
	src := testSource()
	wide := mustStore(t, dir, "a1", "photo.jpg", "image/jpeg", encodeImage(t, "jpeg", 1600, 1200))
	src.subs = []*campaignbot.Submission{
		{ID: 1, TaskKey: "study-notes", PersonID: 1, DepartmentID: 1, Version: 1, SubmittedAt: at,
			Text:        "第一周学习体会\n\n学习了 A & B <c> 的\x01论述。",
			Attachments: []campaignbot.Attachment{wide, mustStore(t, dir, "b2", "", "image/png", encodeImage(t, "png", 300, 200))}},
		{ID: 2, TaskKey: "study-notes", PersonID: 1, DepartmentID: 1, Version: 2, Late: true, SubmittedAt: at.Add(7 * 24 * time.Hour),
			Text: "第二周", Attachments: []campaignbot.Attachment{wide}},
		{ID: 3, TaskKey: "study-notes", PersonID: 3, DepartmentID: 2, Version: 1, SubmittedAt: at, Text: "办公室的笔记",
			Attachments: []campaignbot.Attachment{
				mustStore(t, dir, "c3", "讲稿.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK…"),
				{SHA256: strings.Repeat("d4", 32), Name: "lost.jpg", MIME: "image/jpeg"},
			}},
		{ID: 4, TaskKey: "dept-analysis", PersonID: 2, DepartmentID: 1, Version: 1, State: campaignbot.ReviewAccepted, SubmittedAt: at,
			Text: "科室分析报告正文"},
		// A tall picture is fitted to the page's height.
		{ID: 5, TaskKey: "dept-analysis", PersonID: 3, DepartmentID: 2, Version: 1, SubmittedAt: at,
			Attachments: []campaignbot.Attachment{mustStore(t, dir, "e5", "tall.png", "image/png", encodeImage(t, "png", 400, 2000))}},
	}
	return src, dir
}

// docxParts are the parts a Word document of ours holds, besides media.
var docxParts = []string{
	"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/_rels/document.xml.rels",
	"word/styles.xml", "word/settings.xml", "word/footer1.xml", "docProps/core.xml", "docProps/app.xml",
}

// wellFormed reads every token of an XML part.
func wellFormed(t *testing.T, name string, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Errorf("%s is not well-formed XML: %v", name, err)
			return
		}
	}
}

// docText is the text of document.xml, a line per paragraph.
func docText(t *testing.T, b []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var lines []string
	var cur strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return lines
		} else if err != nil {
			t.Fatal(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inText = tok.Name.Local == "t"
		case xml.EndElement:
			inText = false
			if tok.Name.Local == "p" {
				lines = append(lines, cur.String())
				cur.Reset()
			}
		case xml.CharData:
			if inText {
				cur.Write(tok)
			}
		}
	}
}

func TestWriteDocument(t *testing.T) {
	src, dir := docxSource(t)
	var out bytes.Buffer
	res, err := export.WriteDocument(context.Background(), &out, src, dir, testPlan(), export.WithNow(now))
	if err != nil {
		t.Fatal(err)
	}
	files, names := readZip(t, out.Bytes())
	if names[0] != "[Content_Types].xml" {
		t.Errorf("the package begins with %s, want [Content_Types].xml", names[0])
	}
	for _, name := range docxParts {
		if _, ok := files[name]; !ok {
			t.Errorf("no part %s among %q", name, names)
		}
	}
	for name, b := range files {
		if strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".rels") {
			wellFormed(t, name, b)
		}
	}
	// Two pictures once each, however often they are shown.
	var media []string
	for _, name := range names {
		if strings.HasPrefix(name, "word/media/") {
			media = append(media, name)
		}
	}
	if want := []string{"word/media/image1.jpeg", "word/media/image2.png", "word/media/image3.png"}; !slices.Equal(media, want) {
		t.Errorf("media %q, want %q", media, want)
	}
	if _, _, err := image.Decode(bytes.NewReader(files["word/media/image1.jpeg"])); err != nil {
		t.Errorf("image1.jpeg: %v", err)
	}

	// Every part has its content type: by extension or by name.
	var types struct {
		Defaults []struct {
			Extension string `xml:",attr"`
		} `xml:"Default"`
		Overrides []struct {
			PartName    string `xml:",attr"`
			ContentType string `xml:",attr"`
		} `xml:"Override"`
	}
	if err := xml.Unmarshal(files["[Content_Types].xml"], &types); err != nil {
		t.Fatal(err)
	}
	typed := map[string]bool{}
	for _, d := range types.Defaults {
		typed["."+d.Extension] = true
	}
	for _, o := range types.Overrides {
		typed[strings.TrimPrefix(o.PartName, "/")] = true
		if o.PartName == "/word/document.xml" && o.ContentType != "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml" {
			t.Errorf("document.xml has content type %s", o.ContentType)
		}
	}
	for _, name := range names {
		if !typed[name] && !typed[path.Ext(name)] {
			t.Errorf("%s has no content type", name)
		}
	}

	// Relationships lead to parts that are there, and every picture the
	// document shows is an image relationship.
	var pkgRels, docRels relationships
	if err := xml.Unmarshal(files["_rels/.rels"], &pkgRels); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(files["word/_rels/document.xml.rels"], &docRels); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(pkgRels.Rels, func(r relationship) bool {
		return r.Target == "word/document.xml" && strings.HasSuffix(r.Type, "/officeDocument")
	}) {
		t.Errorf("the package's relationships %+v do not lead to the document", pkgRels)
	}
	images := map[string]string{}
	for _, r := range pkgRels.Rels {
		if _, ok := files[r.Target]; !ok {
			t.Errorf("package relationship %s leads to %s, which is missing", r.ID, r.Target)
		}
	}
	for _, r := range docRels.Rels {
		if _, ok := files["word/"+r.Target]; !ok {
			t.Errorf("document relationship %s leads to word/%s, which is missing", r.ID, r.Target)
		}
		if strings.HasSuffix(r.Type, "/image") {
			images[r.ID] = r.Target
		}
	}
	doc := string(files["word/document.xml"])
	embeds := regexp.MustCompile(`r:embed="([^"]+)"`).FindAllStringSubmatch(doc, -1)
	if len(embeds) != 4 {
		t.Errorf("the document shows %d pictures, want 4", len(embeds))
	}
	for _, m := range embeds {
		if images[m[1]] == "" {
			t.Errorf("picture %s is no image relationship of %+v", m[1], docRels)
		}
	}
	// Sizes: the wide photo fitted to the text's width (8844 twips), the
	// small picture at its own size at 96 dpi, the tall one to 85% of the
	// text's height (12756 twips).
	extents := regexp.MustCompile(`<wp:extent cx="(\d+)" cy="(\d+)"/>`).FindAllStringSubmatch(doc, -1)
	var sizes []string
	for _, m := range extents {
		sizes = append(sizes, m[1]+"×"+m[2])
	}
	if want := []string{"5615940×4211955", "2857500×1905000", "5615940×4211955", "1376934×6884670"}; !slices.Equal(sizes, want) {
		t.Errorf("picture sizes %q, want %q", sizes, want)
	}

	// The contents link to bookmarks that the headings carry.
	for _, m := range regexp.MustCompile(`w:anchor="([^"]+)"`).FindAllStringSubmatch(doc, -1) {
		if !strings.Contains(doc, `w:name="`+m[1]+`"`) {
			t.Errorf("the contents link to %s, which no heading carries", m[1])
		}
	}
	if !strings.Contains(doc, `<w:instrText xml:space="preserve"> TOC \o "1-2" \h \z \u </w:instrText>`) {
		t.Errorf("the document has no TOC field")
	}
	if !strings.Contains(string(files["word/settings.xml"]), `<w:updateFields w:val="true"/>`) {
		t.Errorf("settings do not ask Word to update the contents")
	}

	// The text, paragraph by paragraph: the title page, the contents as
	// Word shows them before an update, then each task and submission.
	lines := slices.DeleteFunc(docText(t, files["word/document.xml"]), func(s string) bool { return s == "" })
	want := []string{
		"市科技局", "学习实践活动", "材料汇编", "2024年3月20日",
		"目录",
		"一、学习笔记", "张三（计划科） 第1版", "张三（计划科） 第2版", "隐名作者（办公室）",
		"二、科室分析报告", "李四（计划科）", "隐名作者（办公室）",
		"一、学习笔记",
		"张三（计划科） 第1版",
		"提交人：张三　科室：计划科　提交时间：2024-03-05 09:30　版本：第1版",
		"第一周学习体会", "学习了 A & B <c> 的论述。",
		"图：学习笔记/计划科/张三/第1版_2024-03-05/photo.jpg",
		"图：学习笔记/计划科/张三/第1版_2024-03-05/b2b2b2b2b2b2.png",
		"张三（计划科） 第2版",
		"提交人：张三　科室：计划科　提交时间：2024-03-12 09:30　版本：第2版　逾期提交",
		"第二周",
		"图：学习笔记/计划科/张三/第2版_2024-03-12/photo.jpg",
		"隐名作者（办公室）",
		"提交人：隐名作者　科室：办公室　提交时间：2024-03-05 09:30　版本：第1版",
		"办公室的笔记",
		"附件：学习笔记/办公室/隐名作者/讲稿.docx（见材料压缩包）",
		"附件缺失：学习笔记/办公室/隐名作者/lost.jpg",
		"二、科室分析报告",
		"李四（计划科）",
		"提交人：李四　科室：计划科　提交时间：2024-03-05 09:30　版本：第1版　审阅：已通过",
		"科室分析报告正文",
		"隐名作者（办公室）",
		"提交人：隐名作者　科室：办公室　提交时间：2024-03-05 09:30　版本：第1版",
		"图：科室分析报告/办公室/隐名作者/tall.png",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("document text:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(doc, "会议太多") {
		t.Errorf("the document holds an anonymous opinion")
	}
	if got, want := res.Missing, []string{"学习笔记/办公室/隐名作者/lost.jpg"}; !slices.Equal(got, want) || res.Files != 5 {
		t.Errorf("result %+v, want 5 files and %q missing", res, want)
	}

	// Who made it and when.
	var core struct {
		Title   string `xml:"title"`
		Creator string `xml:"creator"`
		Created string `xml:"created"`
	}
	if err := xml.Unmarshal(files["docProps/core.xml"], &core); err != nil {
		t.Fatal(err)
	}
	if core.Creator != "市科技局" || core.Created != "2024-03-20T04:00:00Z" || core.Title != "学习实践活动 材料汇编" {
		t.Errorf("core properties %+v", core)
	}
}

func TestWriteDocumentEmpty(t *testing.T) {
	var out bytes.Buffer
	p := testPlan()
	p.Organisation = ""
	if _, err := export.WriteDocument(context.Background(), &out, &fakeSource{}, dirFiles(t.TempDir()), p, export.WithLang("en"), export.WithNow(now)); err != nil {
		t.Fatal(err)
	}
	files, _ := readZip(t, out.Bytes())
	for name, b := range files {
		wellFormed(t, name, b)
	}
	lines := slices.DeleteFunc(docText(t, files["word/document.xml"]), func(s string) bool { return s == "" })
	want := []string{"Study and practice", "Compiled materials", "2024-03-20", "Contents",
		"1. Study notes", "2. Department analysis", "1. Study notes", "(nothing handed in yet)", "2. Department analysis", "(nothing handed in yet)"}
	if !slices.Equal(lines, want) {
		t.Errorf("document text %q, want %q", lines, want)
	}
	if !strings.Contains(string(files["docProps/core.xml"]), "<dc:creator>campaignbot</dc:creator>") {
		t.Errorf("core properties %s, want campaignbot as the author", files["docProps/core.xml"])
	}
}

// TestDocumentLibreOffice converts the document to PDF with LibreOffice, as
// an office without Word would open it, and reads the PDF's text back. It
// skips when soffice is not installed, unless CAMPAIGNBOT_TEST_LIBREOFFICE
// is "require" (as in CI).
func TestDocumentLibreOffice(t *testing.T) {
	require := os.Getenv("CAMPAIGNBOT_TEST_LIBREOFFICE") == "require"
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if require {
			t.Fatal("soffice not found and CAMPAIGNBOT_TEST_LIBREOFFICE=require")
		}
		t.Skip("soffice not found; install libreoffice-writer-nogui to run this test")
	}
	src, files := docxSource(t)
	dir := t.TempDir()
	docx := filepath.Join(dir, "材料汇编.docx")
	f, err := os.Create(docx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := export.WriteDocument(context.Background(), f, src, files, testPlan(), export.WithNow(now)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// A profile of its own, so that a LibreOffice already running (or
	// another test's) does not take the conversion over.
	profile := "file://" + filepath.ToSlash(filepath.Join(dir, "profile"))
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation="+profile, "--headless", "--norestore",
		"--convert-to", "pdf", "--outdir", dir, docx)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	pdf := filepath.Join(dir, "材料汇编.pdf")
	b, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatalf("no PDF: %v", err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("%s is no PDF", pdf)
	}
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		if require {
			t.Fatal("pdftotext not found and CAMPAIGNBOT_TEST_LIBREOFFICE=require")
		}
		t.Skip("pdftotext not found; install poppler-utils to read the PDF")
	}
	out, err := exec.CommandContext(ctx, pdftotext, "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	pages := strings.Split(text, "\f")
	// pdftotext spaces out CJK text beside digits ("第 1 版"): compare
	// without spaces.
	flat := strings.Join(strings.Fields(text), "")
	// Title page, contents, a page per task at least.
	if len(pages) < 4 {
		t.Errorf("the PDF has %d pages, want at least 4", len(pages))
	}
	for _, want := range []string{"市科技局", "材料汇编", "目录", "一、学习笔记", "二、科室分析报告", "张三（计划科） 第1版", "提交人：李四", "第一周学习体会", "A & B <c>", "图：科室分析报告/办公室/隐名作者/tall.png"} {
		if !strings.Contains(flat, strings.Join(strings.Fields(want), "")) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("PDF text:\n%s", text)
	}
}
