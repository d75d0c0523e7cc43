package chart

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func sampleChart() Chart {
	return Chart{
		Title:    "「学习研讨」各科室完成情况",
		Subtitle: "2026-03-12 · 已交/应交，完成率低的在前",
		Bars: []Bar{
			{Label: "办公室", Value: "1/4 25%", Done: 1, Owed: 4},
			{Label: "政策法规科", Value: "12/15 80%", Done: 12, Owed: 15},
			{Label: "信息中心", Value: "6/6 100%", Done: 6, Owed: 6},
		},
		Note: "另有 2 个科室未列出",
	}
}

// TestRender reads the PNG back: its size follows the bars, and every text
// region (title, date, names, values, note) holds dark text pixels while
// the margins between them stay blank.
func TestRender(t *testing.T) {
	c := sampleChart()
	data, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	_, g, err := Draw(c)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := img.Bounds().Size(), image.Pt(Width, headerH+3*rowH+margin+noteSize+12); got != want {
		t.Errorf("size %v, want %v", got, want)
	}
	regions := map[string]image.Rectangle{"title": g.Title, "subtitle": g.Subtitle, "note": g.Note}
	for i, b := range c.Bars {
		regions[b.Label] = g.Label[i]
		regions[b.Value] = g.Value[i]
		if g.Label[i].Max.X > g.Track[i].Min.X || g.Value[i].Min.X < g.Track[i].Max.X {
			t.Errorf("bar %d: label %v or value %v overlaps the bar %v", i, g.Label[i], g.Value[i], g.Track[i])
		}
	}
	for name, r := range regions {
		if r.Empty() || !r.In(img.Bounds()) {
			t.Errorf("%s: region %v outside the image", name, r)
			continue
		}
		if n := countInk(img, r); n < 20 {
			t.Errorf("%s: %d text pixels in %v", name, n, r)
		}
	}
	// The left margin and the gap between the header and the first bar
	// hold nothing.
	if n := countInk(img, image.Rect(0, 0, margin-2, img.Bounds().Dy())); n != 0 {
		t.Errorf("%d pixels inked in the left margin", n)
	}

	// Each bar is filled to its share, in the warning colour under half.
	for i, b := range c.Bars {
		tr := g.Track[i]
		y := (tr.Min.Y + tr.Max.Y) / 2
		filled, ink := 0, color.RGBA{}
		for x := tr.Min.X; x < tr.Max.X; x++ {
			if c := rgba(img.At(x, y)); c == colFill || c == colLow {
				filled, ink = filled+1, c
			}
		}
		if want := tr.Dx() * b.Done / b.Owed; filled != want {
			t.Errorf("bar %q filled %d px, want %d", b.Label, filled, want)
		}
		if wantInk := map[bool]color.RGBA{true: colLow, false: colFill}[2*b.Done < b.Owed]; ink != wantInk {
			t.Errorf("bar %q in %v, want %v", b.Label, ink, wantInk)
		}
	}
}

// TestNamesDrawn checks, without a golden image, that names come out as
// their own glyphs: every character of them is in the embedded font (none
// falls back to the empty .notdef box), each label is as wide as the font
// says the name is, and two different names leave different ink.
func TestNamesDrawn(t *testing.T) {
	c := sampleChart()
	c.Bars = append(c.Bars, Bar{Label: "办公室室", Value: "0/3 0%", Owed: 3})
	img, g, err := Draw(c)
	if err != nil {
		t.Fatal(err)
	}
	f, err := sfnt.Parse(notoSansSC)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	for _, b := range c.Bars {
		for _, r := range b.Label + b.Value + c.Title + c.Subtitle + c.Note {
			if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
				t.Errorf("%q: no glyph for %q (%v)", b.Label, r, err)
			}
		}
	}
	fc, err := newFace(textSize)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	for i, b := range c.Bars {
		ink := inkBounds(img, g.Label[i])
		want := width(fc, b.Label)
		// Side bearings make the ink a little narrower than the advance.
		if ink.Dx() < want-8 || ink.Dx() > want {
			t.Errorf("%q: ink %d px wide, the font measures %d", b.Label, ink.Dx(), want)
		}
	}
	// 办公室 and 办公室室 share their first three glyphs and differ after.
	a, b := g.Label[0], g.Label[3]
	if same(img, a, b) {
		t.Errorf("labels %q and %q drew the same pixels", c.Bars[0].Label, c.Bars[3].Label)
	}
	if none, err := Render(Chart{Title: "x"}); none != nil || err == nil {
		t.Errorf("no bars: %v %v, want an error", none, err)
	}
}

// TestFontCoversGB2312: the subset holds the 6,763 hanzi of GB2312 and
// ASCII, so any department name written in them is drawn.
func TestFontCoversGB2312(t *testing.T) {
	f, err := sfnt.Parse(notoSansSC)
	if err != nil {
		t.Fatal(err)
	}
	dec := simplifiedchinese.GBK.NewDecoder()
	var buf sfnt.Buffer
	var runes []rune
	for r := rune(0x20); r < 0x7f; r++ {
		runes = append(runes, r)
	}
	hanzi := 0
	// Rows 0xB0-0xF7 are GB2312's two levels of hanzi; 0xD7FA-0xD7FE are empty.
	for hi := 0xB0; hi <= 0xF7; hi++ {
		for lo := 0xA1; lo <= 0xFE; lo++ {
			if hi == 0xD7 && lo >= 0xFA {
				continue
			}
			s, err := dec.Bytes([]byte{byte(hi), byte(lo)})
			if r := []rune(string(s)); err == nil && len(r) == 1 {
				runes = append(runes, r[0])
				hanzi++
			}
		}
	}
	missing := 0
	for _, r := range runes {
		if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
			missing++
			if missing < 10 {
				t.Errorf("no glyph for %q", r)
			}
		}
	}
	if hanzi != 6763 || missing > 0 {
		t.Errorf("%d hanzi, %d characters missing", hanzi, missing)
	}
}

func rgba(c color.Color) color.RGBA { return color.RGBAModel.Convert(c).(color.RGBA) }

// countInk counts the pixels in r darker than the muted text colour's
// lightest anti-aliased edge: text, not background or bar track.
func countInk(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if isInk(img.At(x, y)) {
				n++
			}
		}
	}
	return n
}

func isInk(c color.Color) bool {
	p := rgba(c)
	return p.R < 0xa0 && p.G < 0xa0 && p.B < 0xa0
}

func inkBounds(img image.Image, r image.Rectangle) image.Rectangle {
	var b image.Rectangle
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if isInk(img.At(x, y)) {
				b = b.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return b
}

// same reports whether the ink in a and b is identical once both are
// aligned on their left edge.
func same(img image.Image, a, b image.Rectangle) bool {
	ia, ib := inkBounds(img, a), inkBounds(img, b)
	if ia.Size() != ib.Size() {
		return false
	}
	for y := 0; y < ia.Dy(); y++ {
		for x := 0; x < ia.Dx(); x++ {
			if isInk(img.At(ia.Min.X+x, ia.Min.Y+y)) != isInk(img.At(ib.Min.X+x, ib.Min.Y+y)) {
				return false
			}
		}
	}
	return true
}
