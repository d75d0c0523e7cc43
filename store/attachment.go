package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"campaignbot"
)

// SaveAttachment stores data in a file named by its sha256 and returns the
// attachment. The file is written to a temporary name and renamed, so a
// crash never leaves a partial file under a content name; bytes already
// stored are not written again.
func (db *DB) SaveAttachment(ctx context.Context, name, mime string, data []byte) (*campaignbot.Attachment, error) {
	if len(data) == 0 {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "attachment %q is empty", name)
	}
	sum := sha256.Sum256(data)
	a := &campaignbot.Attachment{SHA256: hex.EncodeToString(sum[:]), Name: name, MIME: mime, Size: int64(len(data))}
	path := filepath.Join(db.files, a.SHA256)
	if fi, err := os.Stat(path); err == nil && fi.Size() == a.Size {
		return a, nil
	}
	if err := writeFileAtomic(path, data); err != nil {
		return nil, fmt.Errorf("save attachment: %w", err)
	}
	return a, nil
}

// writeFileAtomic writes data to a temporary file beside path, syncs it and
// renames it to path.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// AttachmentPath returns the file path of a stored attachment, or "" when
// sha256 is not a sha256 in lower-case hex (so it can never name a file
// outside the attachment directory).
func (db *DB) AttachmentPath(sha256 string) string {
	if !validSHA256(sha256) {
		return ""
	}
	return filepath.Join(db.files, sha256)
}

// validSHA256 reports whether s is 64 lower-case hex digits.
func validSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// copyAttachments copies every content-named file of src into dst.
func copyAttachments(src, dst string) error {
	entries, err := os.ReadDir(src)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o750); err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !validSHA256(e.Name()) {
			continue
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// copyFile copies src to dst through a temporary file.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(out.Name(), dst)
	}
	if err != nil {
		os.Remove(out.Name())
	}
	return err
}

// checkAttachments rejects attachments that do not name a stored file.
func checkAttachments(as []campaignbot.Attachment) error {
	for _, a := range as {
		if !validSHA256(a.SHA256) {
			return campaignbot.Errorf(campaignbot.EINVALID, "attachment %q has no valid sha256", a.Name)
		}
	}
	return nil
}

// insertAttachments stores the attachments of one row in a link table
// (submission_attachments, problem_photos, problem_event_attachments).
func insertAttachments(ctx context.Context, tx *Tx, table, ownerCol string, ownerID int64, as []campaignbot.Attachment) error {
	q := insertAttachmentsQuery(table, ownerCol)
	for i, a := range as {
		if _, err := tx.ExecContext(ctx, q,
			ownerID, i, a.SHA256, a.Name, a.MIME, a.Size, string(a.Platform)); err != nil {
			return constraintErr(err, "store attachment")
		}
	}
	return nil
}

func insertAttachmentsQuery(table, ownerCol string) string {
	return `INSERT INTO ` + table + ` (` + ownerCol + `, pos, sha256, name, mime, size, platform) VALUES (?, ?, ?, ?, ?, ?, ?)`
}

// loadAttachmentsQuery selects the attachments of the owners ownerQuery selects.
func loadAttachmentsQuery(table, ownerCol, ownerQuery string) string {
	return `SELECT ` + ownerCol + `, sha256, name, mime, size, platform FROM ` + table + `
		WHERE ` + ownerCol + ` IN (` + ownerQuery + `) ORDER BY ` + ownerCol + `, pos`
}

// loadAttachments runs a loadAttachmentsQuery and returns the attachments
// keyed by owner id, in their stored order.
func loadAttachments(ctx context.Context, tx *Tx, query string, args []any) (map[int64][]campaignbot.Attachment, error) {
	m := map[int64][]campaignbot.Attachment{}
	err := eachRow(ctx, tx, query, args,
		func(rows *sql.Rows) error {
			var id int64
			var a campaignbot.Attachment
			if err := rows.Scan(&id, &a.SHA256, &a.Name, &a.MIME, &a.Size, &a.Platform); err != nil {
				return err
			}
			m[id] = append(m[id], a)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("load attachments: %w", err)
	}
	return m, nil
}
