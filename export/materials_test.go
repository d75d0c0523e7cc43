package export_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/export"
)

// dirFiles keeps attachments as the store does: a file named by its
// sha256 in one directory.
type dirFiles string

func (d dirFiles) AttachmentPath(sha string) string { return filepath.Join(string(d), sha) }

// mustStore writes data under a made-up sha256 and returns the
// attachment.
func mustStore(t *testing.T, dir dirFiles, sha, name, mime, data string) campaignbot.Attachment {
	t.Helper()
	sha = strings.Repeat(sha, 64/len(sha))
	if err := os.WriteFile(dir.AttachmentPath(sha), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return campaignbot.Attachment{SHA256: sha, Name: name, MIME: mime, Size: int64(len(data))}
}

// readZip returns the files of a ZIP by name.
func readZip(t *testing.T, b []byte) (map[string][]byte, []string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	var names []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = data
		names = append(names, f.Name)
	}
	return files, names
}

func TestWriteMaterials(t *testing.T) {
	dir := dirFiles(t.TempDir())
	src := testSource()
	photo := mustStore(t, dir, "a1", "photo.jpg", "image/jpeg", "JPEG one")
	src.subs = []*campaignbot.Submission{
		{ID: 1, TaskKey: "study-notes", PersonID: 1, DepartmentID: 1, Version: 1, Text: "第一周", SubmittedAt: at,
			Attachments: []campaignbot.Attachment{
				photo,
				// Two files sent under one name (as phones name photos)
				// and one differing only in case: each keeps its own.
				mustStore(t, dir, "b2", "photo.jpg", "image/jpeg", "JPEG two"),
				mustStore(t, dir, "c3", "PHOTO.JPG", "image/jpeg", "JPEG three"),
				// A voice note with no name and a path in its name.
				mustStore(t, dir, "d4", "", "audio/amr", "AMR"),
				mustStore(t, dir, "e5", `C:\Users\张三\报告:终稿?.docx`, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
			}},
		{ID: 2, TaskKey: "study-notes", PersonID: 1, DepartmentID: 1, Version: 2, Text: "第二周", SubmittedAt: at.Add(7 * 24 * time.Hour),
			Attachments: []campaignbot.Attachment{photo}},
		// Its bytes are gone from the store.
		{ID: 3, TaskKey: "dept-analysis", PersonID: 3, DepartmentID: 2, Version: 1, SubmittedAt: at,
			Attachments: []campaignbot.Attachment{{SHA256: strings.Repeat("f6", 32), Name: "分析.pdf", MIME: "application/pdf"}}},
		// A person no longer in the roster, of no department.
		{ID: 4, TaskKey: "dept-analysis", PersonID: 99, Version: 1, SubmittedAt: at,
			Attachments: []campaignbot.Attachment{mustStore(t, dir, "a7", "scan", "image/png", "PNG")}},
	}
	var out bytes.Buffer
	res, err := export.WriteMaterials(context.Background(), &out, src, dir, testPlan(), export.WithNow(now))
	if err != nil {
		t.Fatal(err)
	}
	files, names := readZip(t, out.Bytes())
	want := map[string]string{
		"学习笔记/计划科/张三/第1版_2024-03-05/photo.jpg":        "JPEG one",
		"学习笔记/计划科/张三/第1版_2024-03-05/photo (2).jpg":    "JPEG two",
		"学习笔记/计划科/张三/第1版_2024-03-05/PHOTO (3).JPG":    "JPEG three",
		"学习笔记/计划科/张三/第1版_2024-03-05/d4d4d4d4d4d4.amr": "AMR",
		"学习笔记/计划科/张三/第1版_2024-03-05/报告_终稿_.docx":      "DOCX",
		"学习笔记/计划科/张三/第2版_2024-03-12/photo.jpg":        "JPEG one",
		"科室分析报告/（无科室）/#99/scan.png":                   "PNG",
	}
	for name, data := range want {
		if got, ok := files[name]; !ok || string(got) != data {
			t.Errorf("%s = %q (there: %v), want %q", name, got, ok, data)
		}
	}
	if got, want := res.Files, len(want); got != want {
		t.Errorf("%d files written, want %d", got, want)
	}
	if got, want := res.Missing, []string{"科室分析报告/办公室/隐名作者/分析.pdf"}; !slices.Equal(got, want) {
		t.Errorf("missing = %q, want %q", got, want)
	}
	if got, want := string(files["缺失文件清单.txt"]), "科室分析报告/办公室/隐名作者/分析.pdf\r\n"; got != want {
		t.Errorf("the list of missing files = %q, want %q", got, want)
	}
	// The workbook at the root names the same paths, and nothing else is
	// in the ZIP.
	workbook := "学习实践活动.xlsx"
	if len(files[workbook]) == 0 {
		t.Fatalf("no %s among %q", workbook, names)
	}
	if got, want := len(names), len(want)+2; got != want {
		t.Errorf("the ZIP holds %q, want %d files", names, want)
	}
	path := filepath.Join(t.TempDir(), "w.xlsx")
	if err := os.WriteFile(path, files[workbook], 0o600); err != nil {
		t.Fatal(err)
	}
	f := mustOpen(t, path)
	var named []string
	for _, row := range mustRows(t, f, "提交明细")[1:] {
		if len(row) > 8 && row[8] != "" {
			named = append(named, strings.Split(row[8], "\n")...)
		}
	}
	for _, name := range named {
		if _, ok := files[name]; !ok && !slices.Contains(res.Missing, name) {
			t.Errorf("the workbook names %s, which is not in the ZIP", name)
		}
	}
	if got, want := len(named), len(want)+1; got != want {
		t.Errorf("the workbook names %d files, want %d: %q", got, want, named)
	}
}
