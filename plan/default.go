package plan

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"time"

	"campaignbot"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultName is the file name the default plan's errors would carry.
const DefaultName = "default.yaml"

// defaultStart is the first day of the embedded default plan; Default shifts
// every date of the template by the distance from it.
var defaultStart = campaignbot.NewDate(2026, time.March, 1)

var datePattern = regexp.MustCompile(`\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b`)

// Default returns the default plan (SPEC §3) with every date shifted by the
// same number of days so that the campaign starts on start, and its YAML text,
// comments kept, for `plan init` to write.
func Default(start campaignbot.Date) (*campaignbot.Plan, []byte, error) {
	shift := int(start - defaultStart)
	var bad error
	text := datePattern.ReplaceAllFunc(defaultYAML, func(b []byte) []byte {
		d, err := campaignbot.ParseDate(string(b))
		if err != nil {
			bad = err
			return b
		}
		return []byte(d.AddDays(shift).String())
	})
	if bad != nil {
		return nil, nil, fmt.Errorf("shift default plan: %w", bad)
	}
	p, err := Parse(DefaultName, text)
	if err != nil {
		return nil, nil, fmt.Errorf("default plan starting %s: %w", start, err)
	}
	return p, text, nil
}

// Load reads and parses the plan file at path.
func Load(path string) (*campaignbot.Plan, error) {
	p, _, err := LoadSource(path)
	return p, err
}

// LoadSource is Load that also returns the file's text, which `plan apply`
// stores as it is.
func LoadSource(path string) (*campaignbot.Plan, []byte, error) {
	if path == "" {
		return nil, nil, campaignbot.Errorf(campaignbot.EINVALID, "no plan file given")
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, campaignbot.Errorf(campaignbot.EINVALID, "plan file %s does not exist", path)
	} else if err != nil {
		return nil, nil, fmt.Errorf("read plan: %w", err)
	}
	p, err := Parse(path, data)
	if err != nil {
		return nil, nil, err
	}
	return p, data, nil
}

// FirstOfMonth returns the first day of now's month in Asia/Shanghai, where
// the default plan starts when no date is given.
func FirstOfMonth(now time.Time) campaignbot.Date {
	loc, err := time.LoadLocation(DefaultTimeZone)
	if err != nil { // cannot happen: time/tzdata is linked in
		loc = time.FixedZone("CST", 8*3600)
	}
	y, m, _ := now.In(loc).Date()
	return campaignbot.NewDate(y, m, 1)
}
