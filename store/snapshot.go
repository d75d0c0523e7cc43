package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"math"
	"strconv"
	"strings"
	"time"

	"campaignbot"
)

var _ campaignbot.SubmissionRecordSnapshotService = (*DB)(nil)

// A new process would read every submission row for the scheduler's cache:
// about 2 µs a row through database/sql, most of a second at 200,000. The
// record snapshot (table submission_record_snapshot, migration 0007) keeps
// those records as one compact value that decodes in a few milliseconds;
// FindSubmissionRecordsAfter(ctx, 0) reads it and then only the rows added
// since. Triggers delete it when a row is deleted or a record column
// changes, and move the epoch, so it never describes rows that are gone.

// recordSnapshotFormat is the version of the encoding below; a snapshot in
// another format is ignored (and replaced at the next save).
//
// Format 1, all integers varints (encoding/binary):
//
//	uvarint K, then K task keys, each a uvarint length and the bytes
//	uvarint N, then N records in ID order, each:
//	  uvarint ID minus the previous ID (at least 1; the first from 0)
//	  uvarint index of the task key
//	  uvarint person ID
//	  uvarint department ID (0 for none)
//	  varint  day minus the previous day (the first from 0)
//
// About 6 bytes a record: 1.2 MB for 200,000.
const recordSnapshotFormat = 1

// minRecordBytes is the fewest bytes a record takes, which bounds N.
const minRecordBytes = 5

// errSnapshotCorrupt reports a snapshot that does not decode.
var errSnapshotCorrupt = errors.New("record snapshot does not decode")

// locationKey names the location days were computed in: its name and its
// offsets at a few instants, since two fixed zones may share a name.
func locationKey(loc *time.Location) string {
	var b strings.Builder
	b.WriteString(loc.String())
	for _, t := range []time.Time{
		time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2000, 7, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 7, 1, 0, 0, 0, 0, time.UTC),
	} {
		_, off := t.In(loc).Zone()
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(off))
	}
	return b.String()
}

// encodeRecords encodes recs, which must be in increasing ID order with
// no negative IDs; it ranges over recs twice (keys, then records).
func encodeRecords(recs iter.Seq[campaignbot.SubmissionRecord]) ([]byte, error) {
	index := map[string]uint64{}
	var keys []string
	n := 0
	for r := range recs {
		n++
		if _, ok := index[r.TaskKey]; !ok {
			index[r.TaskKey] = uint64(len(keys))
			keys = append(keys, r.TaskKey)
		}
	}
	b := make([]byte, 0, 16+16*len(keys)+8*n)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
	}
	b = binary.AppendUvarint(b, uint64(n))
	var id int64
	var day campaignbot.Date
	lastKey, lastIndex := "", uint64(0)
	i := -1
	for r := range recs {
		i++
		if r.ID <= id || r.PersonID < 0 || r.DepartmentID < 0 {
			return nil, campaignbot.Errorf(campaignbot.EINVALID, "submission record %d (ID %d) is out of order or has a negative ID", i, r.ID)
		}
		if i == 0 || r.TaskKey != lastKey {
			lastKey, lastIndex = r.TaskKey, index[r.TaskKey]
		}
		b = binary.AppendUvarint(b, uint64(r.ID-id))
		b = binary.AppendUvarint(b, lastIndex)
		b = binary.AppendUvarint(b, uint64(r.PersonID))
		b = binary.AppendUvarint(b, uint64(r.DepartmentID))
		b = binary.AppendVarint(b, int64(r.Day)-int64(day))
		id, day = r.ID, r.Day
	}
	return b, nil
}

// uvarintAt reads the uvarint at b[i:] and returns it with the index after
// it; i is -1 once one fails to decode, and stays so.
func uvarintAt(b []byte, i int) (uint64, int) {
	if uint(i) < uint(len(b)) && b[i] < 0x80 {
		return uint64(b[i]), i + 1
	}
	if i >= 0 && i+1 < len(b) && b[i+1] < 0x80 {
		return uint64(b[i]&0x7f) | uint64(b[i+1])<<7, i + 2
	}
	return uvarintSlow(b, i)
}

func uvarintSlow(b []byte, i int) (uint64, int) {
	if i < 0 || i > len(b) {
		return 0, -1
	}
	v, n := binary.Uvarint(b[i:])
	if n <= 0 {
		return 0, -1
	}
	return v, i + n
}

// decodeRecords decodes a snapshot into a slice with room for extra more
// records, allocated once, and returns its task keys, each one string the
// records share.
func decodeRecords(blob []byte, extra int) ([]campaignbot.SubmissionRecord, []string, error) {
	k, i := uvarintAt(blob, 0)
	if i < 0 || k > uint64(len(blob)) {
		return nil, nil, errSnapshotCorrupt
	}
	keys := make([]string, k)
	for j := range keys {
		var n uint64
		n, i = uvarintAt(blob, i)
		if i < 0 || n == 0 || n > uint64(len(blob)-i) {
			return nil, nil, errSnapshotCorrupt
		}
		keys[j], i = string(blob[i:i+int(n)]), i+int(n)
	}
	n, i := uvarintAt(blob, i)
	if i < 0 || n > uint64((len(blob)-i)/minRecordBytes) {
		return nil, nil, errSnapshotCorrupt
	}
	rs := make([]campaignbot.SubmissionRecord, n, int(n)+max(extra, 0))
	var id, day int64
	for j := range rs {
		var dID, task, person, dept, zday uint64
		dID, i = uvarintAt(blob, i)
		task, i = uvarintAt(blob, i)
		person, i = uvarintAt(blob, i)
		dept, i = uvarintAt(blob, i)
		zday, i = uvarintAt(blob, i)
		day += int64(zday>>1) ^ -int64(zday&1)
		if i < 0 || dID == 0 || dID > math.MaxInt64-uint64(id) || task >= k ||
			person > math.MaxInt64 || dept > math.MaxInt64 || day < math.MinInt32 || day > math.MaxInt32 {
			return nil, nil, errSnapshotCorrupt
		}
		id += int64(dID)
		r := &rs[j]
		r.ID, r.TaskKey, r.PersonID, r.DepartmentID, r.Day = id, keys[task], int64(person), int64(dept), campaignbot.Date(day)
	}
	if i != len(blob) {
		return nil, nil, errSnapshotCorrupt
	}
	return rs, keys, nil
}

// readRecordSnapshot returns the saved snapshot's records with room for
// the rows up to maxID after it, its task keys and the last ID it covers;
// ok is false when there is none usable in this store's location and
// format, and the caller reads every row instead.
func (db *DB) readRecordSnapshot(ctx context.Context, tx *Tx, maxID int64) (rs []campaignbot.SubmissionRecord, keys []string, snapMax int64, ok bool) {
	var blob []byte
	err := tx.QueryRowContext(ctx, `SELECT max_id, records FROM submission_record_snapshot
		WHERE id = 1 AND format = ? AND location = ?`, recordSnapshotFormat, locationKey(db.loc)).Scan(&snapMax, &blob)
	if err != nil || snapMax <= 0 || snapMax > maxID {
		return nil, nil, 0, false
	}
	rs, keys, err = decodeRecords(blob, int(maxID-snapMax))
	if err != nil || len(rs) == 0 || rs[len(rs)-1].ID != snapMax {
		return nil, nil, 0, false
	}
	return rs, keys, snapMax, true
}

// recordSnapshotReach returns the last ID the saved snapshot covers, 0 if
// there is none usable in this store's location and format.
func recordSnapshotReach(ctx context.Context, tx *Tx, loc string) (int64, error) {
	var reach int64
	err := tx.QueryRowContext(ctx, `SELECT max_id FROM submission_record_snapshot
		WHERE id = 1 AND format = ? AND location = ?`, recordSnapshotFormat, loc).Scan(&reach)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return reach, err
}

// SaveSubmissionRecordSnapshot saves recs, the records of every submission
// up to the last one's ID in ID order as FindSubmissionRecordsInEpoch
// returned them in epoch, as the snapshot that FindSubmissionRecordsAfter
// starts from. It saves nothing when the saved snapshot already reaches as
// far. It fails with ECONFLICT when the epoch has moved since (a
// submission was deleted or its record changed) or the last record is not
// the row the table holds, and with EINVALID when recs are out of order.
//
// The records are encoded before the write transaction, which then holds
// the writer only for a few point reads and the one row's write.
func (db *DB) SaveSubmissionRecordSnapshot(ctx context.Context, recs iter.Seq[campaignbot.SubmissionRecord], epoch int64) error {
	var last campaignbot.SubmissionRecord
	found := false
	for r := range recs {
		last, found = r, true
	}
	if !found {
		return nil
	}
	loc := locationKey(db.loc)
	// A restart finds the snapshot it started from: a look is cheaper
	// than encoding 200,000 records for nothing.
	reach, err := db.readRecordSnapshotReach(ctx, loc)
	if err != nil {
		return fmt.Errorf("save submission record snapshot: %w", err)
	}
	if reach >= last.ID {
		return nil
	}
	blob, err := encodeRecords(recs)
	if err != nil {
		return err
	}
	return db.writeRecordSnapshot(ctx, blob, last, epoch)
}

// writeRecordSnapshot saves the encoded snapshot whose last record is last,
// after checking that nothing invalidated it since it was read in epoch.
func (db *DB) writeRecordSnapshot(ctx context.Context, blob []byte, last campaignbot.SubmissionRecord, epoch int64) error {
	loc := locationKey(db.loc)
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var now int64
	if err := tx.QueryRowContext(ctx, `SELECT n FROM submission_record_epoch WHERE id = 1`).Scan(&now); err != nil {
		return fmt.Errorf("save submission record snapshot: %w", err)
	}
	if now != epoch {
		return campaignbot.Errorf(campaignbot.ECONFLICT, "submissions changed since their records were read")
	}
	var key string
	var person, dept, at int64
	err = tx.QueryRowContext(ctx, `SELECT task_key, person_id, COALESCE(department_id, 0), submitted_at FROM submissions WHERE id = ?`,
		last.ID).Scan(&key, &person, &dept, &at)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (key != last.TaskKey || person != last.PersonID ||
		dept != last.DepartmentID || campaignbot.DateOf(decTime(at), db.loc) != last.Day) {
		return campaignbot.Errorf(campaignbot.ECONFLICT, "submission %d is not the record to save", last.ID)
	}
	if err != nil {
		return fmt.Errorf("save submission record snapshot: %w", err)
	}
	// Another process may have saved meanwhile.
	if reach, err := recordSnapshotReach(ctx, tx, loc); err != nil {
		return fmt.Errorf("save submission record snapshot: %w", err)
	} else if reach >= last.ID {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO submission_record_snapshot (id, format, max_id, location, records)
		VALUES (1, ?, ?, ?, ?)`, recordSnapshotFormat, last.ID, loc, blob); err != nil {
		return fmt.Errorf("save submission record snapshot: %w", err)
	}
	return tx.commit()
}

// readRecordSnapshotReach is recordSnapshotReach in a read transaction.
func (db *DB) readRecordSnapshotReach(ctx context.Context, loc string) (int64, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	return recordSnapshotReach(ctx, tx, loc)
}
