package export

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"encoding/xml"
	"fmt"
	"image"
	_ "image/gif" // the image formats Word and WPS show inline
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"campaignbot"
)

// The compiled document's page: A4 with the margins of GB/T 9704 (党政机关
// 公文格式), in twentieths of a point; images are sized in EMU.
const (
	pageWidth    = 11906
	pageHeight   = 16838
	marginTop    = 2098
	marginBottom = 1984
	marginLeft   = 1588
	marginRight  = 1474
	textWidth    = pageWidth - marginLeft - marginRight
	textHeight   = pageHeight - marginTop - marginBottom
	emuPerTwip   = 635
	emuPerPixel  = 9525 // at 96 dots per inch
	// maxImageHeight leaves room on the page for the caption below.
	maxImageHeight = textHeight * 85 / 100 * emuPerTwip
)

// Namespaces of WordprocessingML and the package.
const (
	nsW      = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR      = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsWP     = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
	nsA      = "http://schemas.openxmlformats.org/drawingml/2006/main"
	nsPic    = "http://schemas.openxmlformats.org/drawingml/2006/picture"
	nsRels   = "http://schemas.openxmlformats.org/package/2006/relationships"
	relDoc   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
	relCore  = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
	relApp   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
	relStyle = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
	relSet   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings"
	relFoot  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
	relImage = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
	ctMain   = "application/vnd.openxmlformats-officedocument.wordprocessingml"
)

// imageTypes are the formats embedded, by image.DecodeConfig's name, with
// the extension of their part; other files are named, not shown.
var imageTypes = map[string]string{"jpeg": ".jpeg", "png": ".png", "gif": ".gif"}

// WriteDocument writes the compiled materials (材料汇编, SPEC §12) to w as
// a Word document that Word, WPS and LibreOffice open: a title page; the
// contents, as a TOC field that Word and WPS update, holding the headings
// already so that it reads before any update; then a chapter per task with
// each submission: author, department, date, text, and its images embedded
// and fitted to the page. Other files are named by their path in the
// materials ZIP. Opinions and survey answers are not in it, so nothing in
// it is anonymous. Files missing from the store are named as missing and
// returned, as WriteMaterials does.
//
// The OOXML is written here: the Go libraries for it are paid, unserved or
// unmaintained, and a document of headings, paragraphs and pictures needs
// little of it.
func WriteDocument(ctx context.Context, w io.Writer, src Source, files Files, p *campaignbot.Plan, opts ...Option) (*MaterialsResult, error) {
	o := newOptions(opts)
	d, err := load(ctx, src, p, o)
	if err != nil {
		return nil, err
	}
	zw := zip.NewWriter(w)
	dw := &docWriter{d: d, zw: zw, files: files, now: o.now, media: map[string]string{}, res: &MaterialsResult{}}
	// The content types first, as Word writes them; they name the image
	// formats by extension, so they do not depend on what follows.
	for _, part := range []struct{ name, body string }{
		{"[Content_Types].xml", contentTypes()},
		{"_rels/.rels", rels([][3]string{{"rId1", relDoc, "word/document.xml"}, {"rId2", relCore, "docProps/core.xml"}, {"rId3", relApp, "docProps/app.xml"}})},
	} {
		if err := dw.part(part.name, part.body); err != nil {
			return nil, err
		}
	}
	body, err := dw.body(ctx)
	if err != nil {
		return nil, err
	}
	docRels := [][3]string{{"rId1", relStyle, "styles.xml"}, {"rId2", relSet, "settings.xml"}, {"rId3", relFoot, "footer1.xml"}}
	docRels = append(docRels, dw.imageRels...)
	for _, part := range []struct{ name, body string }{
		{"word/document.xml", body},
		{"word/_rels/document.xml.rels", rels(docRels)},
		{"word/styles.xml", docStyles(d.l.en)},
		{"word/settings.xml", settings},
		{"word/footer1.xml", footer},
		{"docProps/core.xml", d.coreProps(o.now)},
		{"docProps/app.xml", d.appProps()},
	} {
		if err := dw.part(part.name, part.body); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("export: document: %w", err)
	}
	return dw.res, nil
}

// docWriter writes the document's parts: the body is built in memory and
// each image goes into the package as it is met.
type docWriter struct {
	d     *data
	zw    *zip.Writer
	files Files
	now   time.Time
	b     bytes.Buffer
	// media maps a sha256 to the relationship of its image part, so an
	// image sent twice is stored once.
	media     map[string]string
	imageRels [][3]string
	drawings  int
	bookmarks int
	res       *MaterialsResult
}

func (dw *docWriter) part(name, body string) error {
	fw, err := dw.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: dw.now})
	if err == nil {
		_, err = io.WriteString(fw, body)
	}
	if err != nil {
		return fmt.Errorf("export: document: %s: %w", name, err)
	}
	return nil
}

// chapter is one task's submissions, in the order the document shows them.
type chapter struct {
	title string
	subs  []*campaignbot.Submission
}

// chapters orders the submissions by task as the plan lists them (tasks
// handed in as submissions, even with none yet; others after), then by
// department as the roster lists them, person and version.
func (d *data) chapters() []chapter {
	byTask := map[string][]*campaignbot.Submission{}
	var keys []string
	for _, t := range d.p.Tasks {
		if t.SatisfiedBy == campaignbot.SatisfiedBySubmission {
			keys = append(keys, t.Key)
			byTask[t.Key] = nil
		}
	}
	var others []string
	for _, s := range d.subs {
		if _, ok := byTask[s.TaskKey]; !ok {
			others = append(others, s.TaskKey)
		}
		byTask[s.TaskKey] = append(byTask[s.TaskKey], s)
	}
	slices.Sort(others)
	keys = append(keys, slices.Compact(others)...)
	order := d.departmentOrder()
	var out []chapter
	for _, k := range keys {
		subs := byTask[k]
		slices.SortFunc(subs, func(a, b *campaignbot.Submission) int {
			return cmp.Or(
				cmp.Compare(deptRank(order, a.DepartmentID), deptRank(order, b.DepartmentID)),
				strings.Compare(d.person(a.PersonID), d.person(b.PersonID)), cmp.Compare(a.PersonID, b.PersonID),
				cmp.Compare(a.Version, b.Version), cmp.Compare(a.ID, b.ID))
		})
		out = append(out, chapter{title: d.taskTitle(k), subs: subs})
	}
	return out
}

// deptRank places departments the roster does not list after those it does.
func deptRank(order []int64, id int64) int {
	if i := slices.Index(order, id); i >= 0 {
		return i
	}
	return len(order)
}

// heading is a chapter's or a submission's heading, its bookmark, and
// the level the contents show it at.
type heading struct {
	text     string
	bookmark string
	level    int
}

// headings gives every chapter and submission its heading, in order.
func (dw *docWriter) headings(chs []chapter) ([]heading, map[int64]heading) {
	d := dw.d
	type owner struct {
		task   string
		person int64
	}
	versions := map[owner]int{}
	for _, s := range d.subs {
		versions[owner{s.TaskKey, s.PersonID}]++
	}
	var hs []heading
	bySub := map[int64]heading{}
	for i, ch := range chs {
		dw.bookmarks++
		hs = append(hs, heading{text: campaignbot.T(d.l.lang, "export.docx.chapter", numeral(i+1, d.l.en), ch.title), bookmark: "_Toc" + strconv.Itoa(dw.bookmarks), level: 1})
		for _, s := range ch.subs {
			text := campaignbot.T(d.l.lang, "export.docx.author", d.person(s.PersonID), d.dept(s.DepartmentID))
			if versions[owner{s.TaskKey, s.PersonID}] > 1 {
				text += campaignbot.T(d.l.lang, "export.docx.version", s.Version)
			}
			dw.bookmarks++
			h := heading{text: text, bookmark: "_Toc" + strconv.Itoa(dw.bookmarks), level: 2}
			hs = append(hs, h)
			bySub[s.ID] = h
		}
	}
	return hs, bySub
}

// body writes word/document.xml.
func (dw *docWriter) body(ctx context.Context) (string, error) {
	d, b := dw.d, &dw.b
	t := func(key string, args ...any) string { return campaignbot.T(d.l.lang, key, args...) }
	chs := d.chapters()
	hs, bySub := dw.headings(chs)

	b.WriteString(xml.Header)
	fmt.Fprintf(b, `<w:document xmlns:w="%s" xmlns:r="%s" xmlns:wp="%s" xmlns:a="%s" xmlns:pic="%s"><w:body>`, nsW, nsR, nsWP, nsA, nsPic)

	// The title page.
	for range 4 {
		dw.para("", "")
	}
	if d.p.Organisation != "" {
		dw.para("Subtitle", d.p.Organisation)
	}
	dw.para("Title", d.campaignTitle())
	dw.para("Title", t("export.docx.title"))
	for range 6 {
		dw.para("", "")
	}
	y, m, day := d.now.In(d.loc).Date()
	dw.para("Subtitle", t("export.docx.date", y, int(m), day))

	// The contents: a TOC field over the two heading levels, its result
	// already the list of headings, each a link to its place.
	dw.para("TOCHeading", t("export.docx.contents"))
	const (
		begin = `<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \o "1-2" \h \z \u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>`
		end   = `<w:r><w:fldChar w:fldCharType="end"/></w:r>`
	)
	if len(hs) == 0 {
		fmt.Fprintf(b, `<w:p>%s<w:r><w:t>%s</w:t></w:r>%s</w:p>`, begin, esc(t("export.docx.nothing")), end)
	}
	for i, h := range hs {
		fmt.Fprintf(b, `<w:p><w:pPr><w:pStyle w:val="TOC%d"/></w:pPr>`, h.level)
		if i == 0 {
			b.WriteString(begin)
		}
		fmt.Fprintf(b, `<w:hyperlink w:anchor="%s" w:history="1"><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:hyperlink>`, h.bookmark, esc(h.text))
		if i == len(hs)-1 {
			b.WriteString(end)
		}
		b.WriteString(`</w:p>`)
	}

	i := 0
	for _, ch := range chs {
		dw.heading(1, hs[i])
		i++
		if len(ch.subs) == 0 {
			dw.para("Meta", t("export.docx.nothing"))
		}
		for _, s := range ch.subs {
			if err := ctx.Err(); err != nil {
				return "", err
			}
			dw.heading(2, bySub[s.ID])
			i++
			meta := t("export.docx.meta", d.person(s.PersonID), d.dept(s.DepartmentID), d.timeText(s.SubmittedAt), s.Version)
			if s.State != campaignbot.ReviewNotRequired {
				meta += t("export.docx.review", cmp.Or(d.l.review[s.State], string(s.State)))
			}
			if s.Late {
				meta += t("export.docx.late")
			}
			dw.para("Meta", meta)
			for line := range strings.Lines(s.Text) {
				if line = strings.TrimSpace(line); line != "" {
					dw.para("BodyText", line)
				}
			}
			for j, a := range s.Attachments {
				if err := dw.attachment(a, d.files[s.ID][j]); err != nil {
					return "", err
				}
			}
		}
	}
	fmt.Fprintf(b, `<w:sectPr><w:footerReference w:type="default" r:id="rId3"/><w:pgSz w:w="%d" w:h="%d"/>`+
		`<w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="851" w:footer="992" w:gutter="0"/><w:titlePg/></w:sectPr>`,
		pageWidth, pageHeight, marginTop, marginRight, marginBottom, marginLeft)
	b.WriteString(`</w:body></w:document>`)
	return b.String(), nil
}

// para writes a paragraph of one run in style (the default when "").
func (dw *docWriter) para(style, text string) {
	dw.b.WriteString(`<w:p>`)
	if style != "" {
		fmt.Fprintf(&dw.b, `<w:pPr><w:pStyle w:val="%s"/></w:pPr>`, style)
	}
	if text != "" {
		fmt.Fprintf(&dw.b, `<w:r><w:t xml:space="preserve">%s</w:t></w:r>`, esc(text))
	}
	dw.b.WriteString(`</w:p>`)
}

// heading writes a heading with the bookmark the contents link to.
func (dw *docWriter) heading(level int, h heading) {
	id := strings.TrimPrefix(h.bookmark, "_Toc")
	fmt.Fprintf(&dw.b, `<w:p><w:pPr><w:pStyle w:val="Heading%d"/></w:pPr><w:bookmarkStart w:id="%s" w:name="%s"/><w:r><w:t xml:space="preserve">%s</w:t></w:r><w:bookmarkEnd w:id="%s"/></w:p>`,
		level, id, h.bookmark, esc(h.text), id)
}

// attachment shows an image with its name below, or names another file
// by its path in the materials.
func (dw *docWriter) attachment(a campaignbot.Attachment, name string) error {
	l := dw.d.l
	t := func(key string, args ...any) string { return campaignbot.T(l.lang, key, args...) }
	src := dw.files.AttachmentPath(a.SHA256)
	f, err := os.Open(src)
	if src == "" || os.IsNotExist(err) {
		dw.res.Missing = append(dw.res.Missing, name)
		dw.para("Caption", t("export.docx.missing", name))
		return nil
	} else if err != nil {
		return fmt.Errorf("export: document: %s: %w", name, err)
	}
	defer f.Close()
	dw.res.Files++
	cfg, format, err := image.DecodeConfig(f)
	ext, ok := imageTypes[format]
	if err != nil || !ok || cfg.Width <= 0 || cfg.Height <= 0 {
		dw.para("Caption", t("export.docx.attachment", name))
		return nil
	}
	rel, ok := dw.media[a.SHA256]
	if !ok {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("export: document: %s: %w", name, err)
		}
		rel = "rIdImg" + strconv.Itoa(len(dw.media)+1)
		target := "media/image" + strconv.Itoa(len(dw.media)+1) + ext
		fw, err := dw.zw.CreateHeader(&zip.FileHeader{Name: "word/" + target, Method: zip.Store, Modified: dw.now})
		if err != nil {
			return fmt.Errorf("export: document: %w", err)
		}
		if _, err := io.Copy(fw, f); err != nil {
			return fmt.Errorf("export: document: %s: %w", name, err)
		}
		dw.media[a.SHA256] = rel
		dw.imageRels = append(dw.imageRels, [3]string{rel, relImage, target})
	}
	cx, cy := imageSize(cfg.Width, cfg.Height)
	dw.drawings++
	n := dw.drawings
	base := esc(path.Base(name))
	fmt.Fprintf(&dw.b, `<w:p><w:pPr><w:pStyle w:val="Picture"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">`+
		`<wp:extent cx="%d" cy="%d"/><wp:docPr id="%d" name="%s %d" descr="%s"/>`+
		`<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>`+
		`<a:graphic><a:graphicData uri="%s"><pic:pic><pic:nvPicPr><pic:cNvPr id="%d" name="%s"/><pic:cNvPicPr/></pic:nvPicPr>`+
		`<pic:blipFill><a:blip r:embed="%s"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>`+
		`<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%d" cy="%d"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>`+
		`</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`,
		cx, cy, n, "Picture", n, base, nsPic, n, base, rel, cx, cy)
	dw.para("Caption", t("export.docx.image", name))
	return nil
}

// imageSize is the size in EMU of a w×h pixel image on the page: its own
// size at 96 dpi, scaled down to the text's width and to most of the
// page's height, never up.
func imageSize(w, h int) (int64, int64) {
	cx, cy := int64(w)*emuPerPixel, int64(h)*emuPerPixel
	if maxW := int64(textWidth * emuPerTwip); cx > maxW {
		cx, cy = maxW, cy*maxW/cx
	}
	if cy > maxImageHeight {
		cx, cy = cx*maxImageHeight/cy, maxImageHeight
	}
	return max(cx, 1), max(cy, 1)
}

// numeral is n as the chapters count: 一, 二 … in Chinese (up to 99), 1,
// 2 … in English.
func numeral(n int, en bool) string {
	if en || n < 1 || n > 99 {
		return strconv.Itoa(n)
	}
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + digits[n%10]
	}
	return digits[n/10] + "十" + digits[n%10]
}

// esc escapes s as XML character data. Control characters, which XML
// cannot hold and chat text should not have, are dropped; other
// characters XML cannot hold become U+FFFD.
func esc(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func contentTypes() string {
	var b strings.Builder
	b.WriteString(xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Default Extension="jpeg" ContentType="image/jpeg"/><Default Extension="png" ContentType="image/png"/><Default Extension="gif" ContentType="image/gif"/>`)
	for _, o := range [][2]string{
		{"/word/document.xml", ctMain + ".document.main+xml"},
		{"/word/styles.xml", ctMain + ".styles+xml"},
		{"/word/settings.xml", ctMain + ".settings+xml"},
		{"/word/footer1.xml", ctMain + ".footer+xml"},
		{"/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"},
		{"/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"},
	} {
		fmt.Fprintf(&b, `<Override PartName="%s" ContentType="%s"/>`, o[0], o[1])
	}
	b.WriteString(`</Types>`)
	return b.String()
}

// rels is a relationships part: id, type and target of each.
func rels(rs [][3]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, xml.Header+`<Relationships xmlns="%s">`, nsRels)
	for _, r := range rs {
		fmt.Fprintf(&b, `<Relationship Id="%s" Type="%s" Target="%s"/>`, r[0], r[1], esc(r[2]))
	}
	b.WriteString(`</Relationships>`)
	return b.String()
}

// settings has Word update the fields (the contents' page numbers) when
// the document is opened.
const settings = xml.Header + `<w:settings xmlns:w="` + nsW + `"><w:updateFields w:val="true"/>` +
	`<w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/>` +
	`<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>`

// footer is the page number, centred, as official documents have it.
const footer = xml.Header + `<w:ftr xmlns:w="` + nsW + `"><w:p><w:pPr><w:jc w:val="center"/></w:pPr>` +
	`<w:r><w:t xml:space="preserve">— </w:t></w:r><w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple><w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>`

// docStyles are the document's styles: body text in 宋体 (SimSun), headings in
// 黑体 (SimHei) and 楷体 (KaiTi), which Chinese Windows and WPS have and
// LibreOffice replaces with the CJK fonts it finds.
func docStyles(en bool) string {
	lang := `<w:lang w:val="zh-CN" w:eastAsia="zh-CN"/>`
	if en {
		lang = `<w:lang w:val="en-US" w:eastAsia="zh-CN"/>`
	}
	font := func(ascii, eastAsia string) string {
		return fmt.Sprintf(`<w:rFonts w:ascii="%s" w:hAnsi="%s" w:eastAsia="%s" w:cs="%s"/>`, ascii, ascii, eastAsia, ascii)
	}
	para := func(id, name, ppr, rpr string) string {
		return fmt.Sprintf(`<w:style w:type="paragraph" w:styleId="%s"><w:name w:val="%s"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr>%s</w:pPr><w:rPr>%s</w:rPr></w:style>`, id, name, ppr, rpr)
	}
	right := fmt.Sprintf(`<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="%d"/></w:tabs>`, textWidth)
	return xml.Header + `<w:styles xmlns:w="` + nsW + `">` +
		`<w:docDefaults><w:rPrDefault><w:rPr>` + font("Times New Roman", "宋体") + `<w:sz w:val="24"/><w:szCs w:val="24"/>` + lang + `</w:rPr></w:rPrDefault>` +
		`<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
		`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
		para("Title", "Title", `<w:jc w:val="center"/><w:spacing w:before="240" w:after="240"/>`, font("Arial", "黑体")+`<w:b/><w:sz w:val="52"/><w:szCs w:val="52"/>`) +
		para("Subtitle", "Subtitle", `<w:jc w:val="center"/><w:spacing w:before="120" w:after="120"/>`, font("Times New Roman", "楷体")+`<w:sz w:val="32"/><w:szCs w:val="32"/>`) +
		para("TOCHeading", "TOC Heading", `<w:pageBreakBefore/><w:jc w:val="center"/><w:spacing w:after="360"/>`, font("Arial", "黑体")+`<w:b/><w:sz w:val="36"/><w:szCs w:val="36"/>`) +
		para("Heading1", "heading 1", `<w:keepNext/><w:pageBreakBefore/><w:spacing w:before="240" w:after="240"/><w:outlineLvl w:val="0"/>`, font("Arial", "黑体")+`<w:b/><w:sz w:val="32"/><w:szCs w:val="32"/>`) +
		para("Heading2", "heading 2", `<w:keepNext/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="1"/>`, font("Times New Roman", "楷体")+`<w:b/><w:sz w:val="28"/><w:szCs w:val="28"/>`) +
		para("TOC1", "toc 1", right+`<w:spacing w:before="120" w:after="60"/>`, `<w:b/>`) +
		para("TOC2", "toc 2", right+`<w:spacing w:after="40"/><w:ind w:left="420"/>`, ``) +
		para("Meta", "Submission details", `<w:keepNext/><w:spacing w:after="120"/>`, `<w:color w:val="595959"/><w:sz w:val="21"/><w:szCs w:val="21"/>`) +
		para("BodyText", "Body Text", `<w:ind w:firstLineChars="200" w:firstLine="480"/><w:jc w:val="both"/>`, ``) +
		para("Picture", "Picture", `<w:keepNext/><w:jc w:val="center"/><w:spacing w:before="120" w:after="0" w:line="240" w:lineRule="auto"/>`, ``) +
		para("Caption", "caption", `<w:jc w:val="center"/><w:spacing w:after="200"/>`, `<w:color w:val="595959"/><w:sz w:val="18"/><w:szCs w:val="18"/>`) +
		`</w:styles>`
}

// coreProps are the document's author (the organisation), title and
// creation time (now).
func (d *data) coreProps(now time.Time) string {
	at := now.UTC().Format(time.RFC3339)
	lang := map[bool]string{true: "en-US", false: "zh-CN"}[d.l.en]
	return xml.Header + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>` + esc(d.campaignTitle()+" "+campaignbot.T(d.l.lang, "export.docx.title")) + `</dc:title>` +
		`<dc:creator>` + esc(d.author()) + `</dc:creator><cp:lastModifiedBy>campaignbot</cp:lastModifiedBy><dc:language>` + lang + `</dc:language>` +
		`<dcterms:created xsi:type="dcterms:W3CDTF">` + at + `</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">` + at + `</dcterms:modified>` +
		`</cp:coreProperties>`
}

func (d *data) appProps() string {
	return xml.Header + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">` +
		`<Application>campaignbot</Application><Company>` + esc(d.p.Organisation) + `</Company></Properties>`
}
