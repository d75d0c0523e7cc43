package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"

	"campaignbot"
)

// The roster snapshot (table roster_snapshot, migration 0010) keeps
// everyone, as FindPeople with no filter returns them, as one compact value
// labelled with the roster's generation it was read in. Reading 10,000
// people with their roles row by row costs about 45 ms; decoding the
// snapshot a few. Any change to the roster moves the generation (migration
// 0008), so a snapshot is used only while it is exact; the scheduler saves
// a new one now and then and at Close (SaveRosterSnapshot).

// rosterSnapshotFormat is the version of the encoding below.
//
// Format 1, integers as varints (encoding/binary), strings as a uvarint
// length and the bytes:
//
//	uvarint D, then D departments: uvarint ID, string name
//	uvarint R, then R role names
//	uvarint N, then N people in ID order, each:
//	  uvarint ID minus the previous ID
//	  string name, uvarint department ID, string telegram, string wecom
//	  varint created_at, varint updated_at (UTC unix nanoseconds)
//	  uvarint roles, each: uvarint role index, varint since
//	  uvarint departments in charge, each: uvarint ID
//	  uvarint unreachable platforms, each: string
const rosterSnapshotFormat = 1

// errRosterSnapshotCorrupt reports a roster snapshot that does not decode.
var errRosterSnapshotCorrupt = errors.New("roster snapshot does not decode")

// encodeRoster encodes people, in ID order, as findAllPeople returns them.
func encodeRoster(people []*campaignbot.Person) ([]byte, error) {
	deptIndex := map[int64]bool{}
	var depts []*campaignbot.Person // one person of each department, for its name
	roleIndex := map[campaignbot.Role]uint64{}
	var roles []campaignbot.Role
	for _, p := range people {
		if !deptIndex[p.DepartmentID] {
			deptIndex[p.DepartmentID] = true
			depts = append(depts, p)
		}
		for _, g := range p.Roles {
			if _, ok := roleIndex[g.Role]; !ok {
				roleIndex[g.Role] = uint64(len(roles))
				roles = append(roles, g.Role)
			}
		}
	}
	str := func(b []byte, s string) []byte {
		return append(binary.AppendUvarint(b, uint64(len(s))), s...)
	}
	b := make([]byte, 0, 64*len(people))
	b = binary.AppendUvarint(b, uint64(len(depts)))
	for _, p := range depts {
		b = binary.AppendUvarint(b, uint64(p.DepartmentID))
		b = str(b, p.Department)
	}
	b = binary.AppendUvarint(b, uint64(len(roles)))
	for _, r := range roles {
		b = str(b, string(r))
	}
	b = binary.AppendUvarint(b, uint64(len(people)))
	var id int64
	for i, p := range people {
		if p.ID <= id || p.DepartmentID < 0 {
			return nil, campaignbot.Errorf(campaignbot.EINVALID, "person %d (ID %d) is out of order or has a negative department", i, p.ID)
		}
		b = binary.AppendUvarint(b, uint64(p.ID-id))
		id = p.ID
		b = str(b, p.Name)
		b = binary.AppendUvarint(b, uint64(p.DepartmentID))
		b = str(b, p.Telegram)
		b = str(b, p.WeCom)
		b = binary.AppendVarint(b, encTime(p.CreatedAt))
		b = binary.AppendVarint(b, encTime(p.UpdatedAt))
		b = binary.AppendUvarint(b, uint64(len(p.Roles)))
		for _, g := range p.Roles {
			b = binary.AppendUvarint(b, roleIndex[g.Role])
			b = binary.AppendVarint(b, int64(g.Since))
		}
		b = binary.AppendUvarint(b, uint64(len(p.InChargeOf)))
		for _, d := range p.InChargeOf {
			if d < 0 {
				return nil, campaignbot.Errorf(campaignbot.EINVALID, "person %d is in charge of department %d", p.ID, d)
			}
			b = binary.AppendUvarint(b, uint64(d))
		}
		b = binary.AppendUvarint(b, uint64(len(p.Unreachable)))
		for _, pl := range p.Unreachable {
			b = str(b, string(pl))
		}
	}
	return b, nil
}

// rosterDecoder reads a roster snapshot. Its strings are substrings of one
// copy of the blob: a few allocations for everyone instead of three a
// person.
type rosterDecoder struct {
	b   []byte // the blob, for numbers
	s   string // a copy of it, for strings
	i   int
	bad bool
}

func (d *rosterDecoder) uvarint() uint64 {
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.i:])
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.i += n
	return v
}

func (d *rosterDecoder) varint() int64 {
	u := d.uvarint() // zig-zag, as binary.AppendVarint writes it
	return int64(u>>1) ^ -int64(u&1)
}

func (d *rosterDecoder) str() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.s)-d.i) {
		d.bad = true
		return ""
	}
	s := d.s[d.i : d.i+int(n)]
	d.i += int(n)
	return s
}

// count reads a count of items each at least minBytes long, refusing one
// the rest of the blob cannot hold.
func (d *rosterDecoder) count(minBytes int) int {
	n := d.uvarint()
	if d.bad || n > uint64((len(d.s)-d.i)/minBytes) {
		d.bad = true
		return 0
	}
	return int(n)
}

// decodeRoster decodes a roster snapshot.
func decodeRoster(blob []byte) ([]*campaignbot.Person, error) {
	d := &rosterDecoder{b: blob, s: string(blob)}
	deptNames := map[int64]string{}
	for range d.count(2) {
		id := int64(d.uvarint())
		deptNames[id] = d.str()
	}
	roleNames := make([]campaignbot.Role, d.count(1))
	for i := range roleNames {
		roleNames[i] = campaignbot.Role(d.str())
	}
	n := d.count(10)
	if d.bad || (n == 0 && d.i != len(d.s)) {
		return nil, errRosterSnapshotCorrupt
	}
	if n == 0 {
		return nil, nil // as findAllPeople gives
	}
	all := make([]campaignbot.Person, n)
	ps := make([]*campaignbot.Person, n)
	var roles []campaignbot.RoleGrant
	rolesEnd := make([]int, n) // person i's roles end at roles[rolesEnd[i]]
	var id int64
	for i := range all {
		p := &all[i]
		ps[i] = p
		id += int64(d.uvarint())
		p.ID = id
		p.Name = d.str()
		p.DepartmentID = int64(d.uvarint())
		p.Department = deptNames[p.DepartmentID]
		p.Telegram = d.str()
		p.WeCom = d.str()
		p.CreatedAt, p.UpdatedAt = decTime(d.varint()), decTime(d.varint())
		for range d.count(2) {
			ri := d.uvarint()
			since := d.varint()
			if ri >= uint64(len(roleNames)) {
				d.bad = true
				break
			}
			roles = append(roles, campaignbot.RoleGrant{Role: roleNames[ri], Since: campaignbot.Date(since)})
		}
		rolesEnd[i] = len(roles)
		if k := d.count(1); k > 0 {
			p.InChargeOf = make([]int64, k)
			for j := range p.InChargeOf {
				p.InChargeOf[j] = int64(d.uvarint())
			}
		}
		if k := d.count(1); k > 0 {
			p.Unreachable = make([]campaignbot.Platform, k)
			for j := range p.Unreachable {
				p.Unreachable[j] = campaignbot.Platform(d.str())
			}
		}
		if d.bad {
			break
		}
	}
	if d.bad || d.i != len(d.s) {
		return nil, errRosterSnapshotCorrupt
	}
	// Everyone's roles share one array, each slice capped so that
	// appending to one person's roles never reaches the next one's.
	from := 0
	for i, p := range ps {
		if end := rolesEnd[i]; end > from {
			p.Roles = roles[from:end:end]
			from = end
		}
	}
	return ps, nil
}

// readRosterSnapshot returns everyone from the roster snapshot, in tx, if
// it was saved in the roster's current generation; ok is false otherwise.
func readRosterSnapshot(ctx context.Context, tx *Tx) (people []*campaignbot.Person, ok bool, err error) {
	var format, gen sql.NullInt64
	var current int64
	var blob []byte
	err = tx.QueryRowContext(ctx, `SELECT s.format, s.generation, s.people, g.n
		FROM roster_generation g LEFT JOIN roster_snapshot s ON s.id = 1`).Scan(&format, &gen, &blob, &current)
	if err != nil {
		return nil, false, fmt.Errorf("read roster snapshot: %w", err)
	}
	if !format.Valid || format.Int64 != rosterSnapshotFormat || gen.Int64 != current {
		return nil, false, nil
	}
	people, derr := decodeRoster(blob)
	if derr != nil {
		return nil, false, nil // read the tables instead; the next save replaces it
	}
	return people, true, nil
}

// SaveRosterSnapshot saves everyone as the roster snapshot, unless the
// saved one is of the current generation already. It reads the roster and
// its generation in one read transaction, and writes only if the
// generation has not moved since; a moved one is ECONFLICT.
func (db *DB) SaveRosterSnapshot(ctx context.Context) error {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return err
	}
	var gen int64
	var saved sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT g.n, s.generation FROM roster_generation g
		LEFT JOIN roster_snapshot s ON s.id = 1 AND s.format = ?`, rosterSnapshotFormat).Scan(&gen, &saved); err != nil {
		tx.Rollback()
		return fmt.Errorf("save roster snapshot: %w", err)
	}
	if saved.Valid && saved.Int64 == gen {
		tx.Rollback()
		return nil
	}
	people, err := findAllPeople(ctx, tx)
	tx.Rollback()
	if err != nil {
		return fmt.Errorf("save roster snapshot: %w", err)
	}
	blob, err := encodeRoster(people)
	if err != nil {
		return err
	}
	return db.write(ctx, func(ctx context.Context, tx *Tx) error {
		var now int64
		if err := tx.QueryRowContext(ctx, `SELECT n FROM roster_generation`).Scan(&now); err != nil {
			return fmt.Errorf("save roster snapshot: %w", err)
		}
		if now != gen {
			return campaignbot.Errorf(campaignbot.ECONFLICT, "the roster changed while its snapshot was taken")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO roster_snapshot (id, format, generation, people) VALUES (1, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET format = excluded.format, generation = excluded.generation, people = excluded.people`,
			rosterSnapshotFormat, gen, blob); err != nil {
			return fmt.Errorf("save roster snapshot: %w", err)
		}
		return nil
	})
}
