package scheduler

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
)

// The digest's chart: one bar per department, least complete first, as the
// digest's "by department" line lists them. Bars carry the department's
// number in that line and its completion; names stay in the text, which
// keeps the chart free of fonts.
const (
	chartBarWidth = 44
	chartGap      = 24
	chartHeight   = 220
	chartMargin   = 20
	chartScale    = 4 // pixels per glyph dot
)

// The chart's colours, as indexes into chartPalette: a paletted image
// takes a byte a pixel where RGBA takes four (50 departments make a chart
// 3,440 pixels wide: 0.75 MB instead of 3 MB, for every /digest).
const (
	chartBackground uint8 = iota
	chartTrack
	chartBar
	chartLow // under half done
	chartInk
)

var chartPalette = color.Palette{
	chartBackground: color.RGBA{0xff, 0xff, 0xff, 0xff},
	chartTrack:      color.RGBA{0xe6, 0xe9, 0xef, 0xff},
	chartBar:        color.RGBA{0x2f, 0x6f, 0xd0, 0xff},
	chartLow:        color.RGBA{0xd9, 0x48, 0x3b, 0xff},
	chartInk:        color.RGBA{0x33, 0x33, 0x33, 0xff},
}

// glyphs are 3×5 dot patterns for the characters the chart writes.
var glyphs = map[rune][5]string{
	'0': {"###", "#.#", "#.#", "#.#", "###"},
	'1': {".#.", "##.", ".#.", ".#.", "###"},
	'2': {"###", "..#", "###", "#..", "###"},
	'3': {"###", "..#", "###", "..#", "###"},
	'4': {"#.#", "#.#", "###", "..#", "..#"},
	'5': {"###", "#..", "###", "..#", "###"},
	'6': {"###", "#..", "###", "#.#", "###"},
	'7': {"###", "..#", "..#", "..#", "..#"},
	'8': {"###", "#.#", "###", "#.#", "###"},
	'9': {"###", "#.#", "###", "..#", "###"},
	'%': {"#.#", "..#", ".#.", "#..", "#.#"},
}

// completionChart draws the tallies as a PNG bar chart; there must be one
// at least.
func completionChart(tallies []tally) ([]byte, error) {
	if len(tallies) == 0 {
		return nil, errors.New("completion chart: no bars")
	}
	w := 2*chartMargin + len(tallies)*(chartBarWidth+chartGap) - chartGap
	img := image.NewPaletted(image.Rect(0, 0, w, chartHeight), chartPalette) // all chartBackground
	textH := 5 * chartScale
	top, bottom := chartMargin+textH+8, chartHeight-chartMargin-textH-8
	for i, t := range tallies {
		x := chartMargin + i*(chartBarWidth+chartGap)
		fill(img, image.Rect(x, top, x+chartBarWidth, bottom), chartTrack)
		pct := 0
		if t.owed > 0 {
			pct = t.done * 100 / t.owed
		}
		h := (bottom - top) * pct / 100
		ink := chartBar
		if pct < 50 {
			ink = chartLow
		}
		fill(img, image.Rect(x, bottom-h, x+chartBarWidth, bottom), ink)
		label := strconv.Itoa(pct) + "%"
		write(img, label, x+(chartBarWidth-textWidth(label))/2, chartMargin)
		num := strconv.Itoa(i + 1)
		write(img, num, x+(chartBarWidth-textWidth(num))/2, bottom+8)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

func fill(img *image.Paletted, r image.Rectangle, c uint8) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetColorIndex(x, y, c)
		}
	}
}

// textWidth is the width of s in pixels.
func textWidth(s string) int { return len(s)*4*chartScale - chartScale }

// write draws s with its top left corner at (x, y).
func write(img *image.Paletted, s string, x, y int) {
	for _, r := range s {
		g := glyphs[r]
		for row, line := range g {
			for col, dot := range line {
				if dot == '#' {
					fill(img, image.Rect(x+col*chartScale, y+row*chartScale, x+(col+1)*chartScale, y+(row+1)*chartScale), chartInk)
				}
			}
		}
		x += 4 * chartScale
	}
}
