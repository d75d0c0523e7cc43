package export

import (
	"archive/zip"
	"cmp"
	"context"
	"fmt"
	"io"
	"mime"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"campaignbot"
)

// Files gives the path of a stored attachment's bytes (store.DB does).
type Files interface {
	AttachmentPath(sha256 string) string
}

// maxSegment bounds a folder or file name in the materials, in bytes:
// common file systems take 255.
const maxSegment = 180

// extensions are the usual extensions of the types members send, for
// files whose name has none (mime.ExtensionsByType would give .jfif for a
// JPEG).
var extensions = map[string]string{
	"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp", "image/heic": ".heic",
	"application/pdf": ".pdf", "text/plain": ".txt", "application/msword": ".doc",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
	"application/vnd.ms-excel": ".xls",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         ".xlsx",
	"application/vnd.ms-powerpoint":                                             ".ppt",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
	"application/zip": ".zip", "audio/amr": ".amr", "video/mp4": ".mp4", "application/wps-office.wps": ".wps",
}

// fileName is an attachment's name as the materials give it: its original
// name, with an extension from its type when it has none, or its sha256's
// first digits when it has no name.
func fileName(a campaignbot.Attachment) string {
	name := segment(path.Base(strings.ReplaceAll(a.Name, "\\", "/")))
	if a.Name == "" || name == "_" {
		name = a.SHA256[:min(12, len(a.SHA256))]
	}
	if path.Ext(name) == "" {
		mt, _, _ := mime.ParseMediaType(a.MIME)
		ext := extensions[mt]
		if ext == "" {
			if exts, _ := mime.ExtensionsByType(mt); len(exts) > 0 {
				ext = exts[0]
			}
		}
		name += ext
	}
	return name
}

// segment makes s safe as one folder or file name on Windows, macOS and
// Linux: no separators, reserved or control characters, no leading or
// trailing dots and spaces, not too long.
func segment(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f:
			return -1
		case strings.ContainsRune(`/\:*?"<>|`, r):
			return '_'
		}
		return r
	}, s)
	s = strings.Trim(s, ". ")
	if len(s) > maxSegment {
		ext := path.Ext(s)
		if len(ext) > 16 {
			ext = ""
		}
		cut := maxSegment - len(ext)
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + ext
	}
	if s == "" {
		return "_"
	}
	return s
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// materialNames gives every attachment of every submission its path in
// the materials: 任务/科室/姓名/file, with a 第N版_date folder when the
// person handed in several versions of the task, and " (2)" before the
// extension when two files would share a path. The workbook's 附件 column
// shows the same paths.
func (d *data) materialNames() map[int64][]string {
	subs := slices.Clone(d.subs)
	slices.SortFunc(subs, func(a, b *campaignbot.Submission) int { return cmp.Compare(a.ID, b.ID) })
	type owner struct {
		task   string
		person int64
	}
	versions := map[owner]int{}
	for _, s := range subs {
		versions[owner{s.TaskKey, s.PersonID}]++
	}
	taken := map[string]bool{}
	out := map[int64][]string{}
	for _, s := range subs {
		dir := path.Join(segment(d.taskTitle(s.TaskKey)), segment(d.dept(s.DepartmentID)), segment(d.person(s.PersonID)))
		if versions[owner{s.TaskKey, s.PersonID}] > 1 {
			dir = path.Join(dir, segment(fmt.Sprintf(d.l.versionDir, s.Version, campaignbot.DateOf(s.SubmittedAt, d.loc))))
		}
		for _, a := range s.Attachments {
			out[s.ID] = append(out[s.ID], unique(taken, path.Join(dir, fileName(a))))
		}
	}
	return out
}

// unique returns p, or p with " (2)", " (3)" … before its extension, so
// that no two paths are the same, even to a file system that ignores
// case; it marks the result taken.
func unique(taken map[string]bool, p string) string {
	ext := path.Ext(p)
	stem := strings.TrimSuffix(p, ext)
	for i := 1; ; i++ {
		q := p
		if i > 1 {
			q = fmt.Sprintf("%s (%d)%s", stem, i, ext)
		}
		if k := strings.ToLower(q); !taken[k] {
			taken[k] = true
			return q
		}
	}
}

// MaterialsResult says what WriteMaterials wrote.
type MaterialsResult struct {
	Files int
	// Missing are the materials' paths of attachments whose bytes are not
	// in the store's files.
	Missing []string
}

// WriteMaterials writes a ZIP of every submitted file (SPEC §12 材料汇编)
// to w, under 任务/科室/姓名/ with its original name, and the workbook
// at its root, whose 提交明细 names the same paths. Opinions and survey
// answers carry no files, so nothing in it is anonymous. A file missing
// from the store is listed in a text file at the root and in the result,
// not fatal: the rest of the materials are still worth having.
func WriteMaterials(ctx context.Context, w io.Writer, src Source, files Files, p *campaignbot.Plan, opts ...Option) (*MaterialsResult, error) {
	o := newOptions(opts)
	d, err := load(ctx, src, p, o)
	if err != nil {
		return nil, err
	}
	zw := zip.NewWriter(w)
	res := &MaterialsResult{}
	for _, s := range d.subs {
		for i, a := range s.Attachments {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			name := d.files[s.ID][i]
			ok, err := addFile(zw, name, files.AttachmentPath(a.SHA256), s.SubmittedAt)
			if err != nil {
				return nil, fmt.Errorf("export: materials: %s: %w", name, err)
			}
			if !ok {
				res.Missing = append(res.Missing, name)
				continue
			}
			res.Files++
		}
	}
	if len(res.Missing) > 0 {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: d.l.missingFile, Method: zip.Deflate, Modified: o.now})
		if err != nil {
			return nil, fmt.Errorf("export: materials: %w", err)
		}
		if _, err := io.WriteString(fw, strings.Join(res.Missing, "\r\n")+"\r\n"); err != nil {
			return nil, fmt.Errorf("export: materials: %w", err)
		}
	}
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: segment(d.campaignTitle()) + ".xlsx", Method: zip.Deflate, Modified: o.now})
	if err != nil {
		return nil, fmt.Errorf("export: materials: %w", err)
	}
	if err := Write(ctx, fw, src, p, opts...); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("export: materials: %w", err)
	}
	return res, nil
}

// addFile copies the file at src into the ZIP as name; it reports false
// when there is no such file.
func addFile(zw *zip.Writer, name, src string, modified time.Time) (bool, error) {
	if src == "" {
		return false, nil
	}
	f, err := os.Open(src)
	if os.IsNotExist(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	defer f.Close()
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
	if err != nil {
		return false, err
	}
	_, err = io.Copy(fw, f)
	return err == nil, err
}
