// Package chart draws the digest's completion chart as a PNG, with its
// text set in an embedded CJK font (golang.org/x/image/font/opentype).
//
// Leaders forward the image alone, so it carries everything that makes it
// readable without the message: a title, the date, each department's name
// and its figures.
package chart

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// notoSansSC is Noto Sans CJK SC cut down to GB2312 (font/subset.sh; SIL
// OFL 1.1, font/OFL.txt): 1.5 MB of the binary.
//
//go:embed font/NotoSansCJKsc-Regular-GB2312.otf
var notoSansSC []byte

// parsedFont parses the embedded font once; the parsed font is read-only
// and shared, while faces (which cache glyphs) are made per chart.
var parsedFont = sync.OnceValues(func() (*opentype.Font, error) {
	return opentype.Parse(notoSansSC)
})

// Bar is one department's line: Label is drawn left of the bar, Value at
// its end, and the bar is filled to Done/Owed.
type Bar struct {
	Label string
	Value string
	Done  int
	Owed  int
}

// Chart is a horizontal bar chart with a title, a subtitle (the date and
// what the figures mean) and an optional note under the bars.
type Chart struct {
	Title    string
	Subtitle string
	Bars     []Bar
	Note     string
}

// Layout, in pixels. The width suits a phone screen at 2× and a desktop
// chat window; the label column grows with the longest name up to
// maxLabelW, where names are cut with an ellipsis.
const (
	Width     = 960
	margin    = 32
	titleSize = 34
	subSize   = 22
	textSize  = 24
	noteSize  = 20
	rowH      = 52
	barH      = 30
	gap       = 16 // between a label, its bar and its value
	maxLabelW = 400
	headerH   = margin + titleSize + 14 + subSize + 28
)

// Colours. A bar under half done is drawn in the warning colour.
var (
	colBackground = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colTrack      = color.RGBA{0xe6, 0xe9, 0xef, 0xff}
	colFill       = color.RGBA{0x2f, 0x6f, 0xd0, 0xff}
	colLow        = color.RGBA{0xd9, 0x48, 0x3b, 0xff}
	colInk        = color.RGBA{0x1f, 0x23, 0x28, 0xff}
	colMuted      = color.RGBA{0x65, 0x6d, 0x76, 0xff}
)

// Geometry says where Render put each part, for tests and for callers that
// want to check what was drawn.
type Geometry struct {
	Title, Subtitle, Note image.Rectangle
	// Label, Track and Value hold one rectangle per bar.
	Label, Track, Value []image.Rectangle
}

// Render draws c as a PNG; it needs one bar at least.
func Render(c Chart) ([]byte, error) {
	img, _, err := Draw(c)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

// Draw draws c and says where each part went.
func Draw(c Chart) (*image.RGBA, *Geometry, error) {
	if len(c.Bars) == 0 {
		return nil, nil, errors.New("chart: no bars")
	}
	faces := map[int]font.Face{}
	for _, size := range []int{titleSize, subSize, textSize, noteSize} {
		fc, err := newFace(size)
		if err != nil {
			return nil, nil, err
		}
		defer fc.Close()
		faces[size] = fc
	}
	face := func(size int) font.Face { return faces[size] }

	body := face(textSize)
	labelW, valueW := 0, 0
	for _, b := range c.Bars {
		labelW = max(labelW, min(width(body, b.Label), maxLabelW))
		valueW = max(valueW, width(body, b.Value))
	}
	h := headerH + len(c.Bars)*rowH + margin
	if c.Note != "" {
		h += noteSize + 12
	}
	img := image.NewRGBA(image.Rect(0, 0, Width, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(colBackground), image.Point{}, draw.Src)

	g := &Geometry{}
	g.Title = text(img, face(titleSize), colInk, fit(face(titleSize), c.Title, Width-2*margin), margin, margin)
	g.Subtitle = text(img, face(subSize), colMuted, fit(face(subSize), c.Subtitle, Width-2*margin), margin, margin+titleSize+14)
	trackX0 := margin + labelW + gap
	trackX1 := Width - margin - valueW - gap
	for i, b := range c.Bars {
		top := headerH + i*rowH
		barTop := top + (rowH-barH)/2
		// Text is vertically centred on the bar.
		textTop := top + (rowH-textSize)/2
		name := fit(body, b.Label, maxLabelW)
		g.Label = append(g.Label, text(img, body, colInk, name, margin+labelW-width(body, name), textTop))
		track := image.Rect(trackX0, barTop, trackX1, barTop+barH)
		draw.Draw(img, track, image.NewUniform(colTrack), image.Point{}, draw.Src)
		g.Track = append(g.Track, track)
		if b.Owed > 0 && b.Done > 0 {
			filled := track
			filled.Max.X = track.Min.X + track.Dx()*min(b.Done, b.Owed)/b.Owed
			ink := colFill
			if 2*b.Done < b.Owed {
				ink = colLow
			}
			draw.Draw(img, filled, image.NewUniform(ink), image.Point{}, draw.Src)
		}
		g.Value = append(g.Value, text(img, body, colInk, b.Value, trackX1+gap, textTop))
	}
	if c.Note != "" {
		g.Note = text(img, face(noteSize), colMuted, fit(face(noteSize), c.Note, Width-2*margin), margin, headerH+len(c.Bars)*rowH+12)
	}
	return img, g, nil
}

// newFace returns the embedded font at size pixels.
func newFace(size int) (font.Face, error) {
	f, err := parsedFont()
	if err != nil {
		return nil, fmt.Errorf("chart font: %w", err)
	}
	fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: float64(size), DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("chart font: %w", err)
	}
	return fc, nil
}

// text draws s with the top of its em box at y (so that a line of a given
// size takes that many pixels whatever it holds) and returns the box it
// may have inked.
func text(img *image.RGBA, fc font.Face, c color.Color, s string, x, y int) image.Rectangle {
	m := fc.Metrics()
	// The em box's top is half the line gap above the ascent.
	size := m.Ascent + m.Descent
	baseline := fixed.I(y) + m.Ascent + (fixed.I(emSize(fc))-size)/2
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: fc, Dot: fixed.Point26_6{X: fixed.I(x), Y: baseline}}
	bounds, _ := d.BoundString(s)
	d.DrawString(s)
	return image.Rect(bounds.Min.X.Floor(), bounds.Min.Y.Floor(), bounds.Max.X.Ceil(), bounds.Max.Y.Ceil())
}

// emSize is the face's size in pixels: the advance of an ideograph.
func emSize(fc font.Face) int {
	adv, _ := fc.GlyphAdvance('中')
	return adv.Ceil()
}

func width(fc font.Face, s string) int { return font.MeasureString(fc, s).Ceil() }

// fit cuts s with an ellipsis so that it is at most w pixels wide.
func fit(fc font.Face, s string, w int) string {
	if width(fc, s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && width(fc, string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
