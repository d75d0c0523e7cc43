package store

import (
	"context"
	"reflect"
	"testing"

	"campaignbot"
)

// seedRoster writes a roster with every kind of list a person has: roles
// granted on different days, departments in charge, unreachable platforms,
// and people with none of them.
func seedRoster(t *testing.T, db *DB) {
	t.Helper()
	for _, q := range []string{
		`INSERT INTO departments (id, name) VALUES (1, '办公室'), (2, '业务科'), (3, '空科室')`,
		`INSERT INTO people (id, name, department_id, telegram, wecom, created_at, updated_at) VALUES
			(5, '甲', 2, '@jia', '', 100, 200), (2, '乙', 1, '', 'yi', 300, 400), (9, '丙', 1, '', '', 500, 600),
			(3, '丁', 2, '12345', 'ding', 700, 800), (40, 'Ёлка', 3, '', '', -5, 0)`,
		`INSERT INTO person_roles (person_id, role, since) VALUES
			(5, 'member', 10), (5, 'liaison', 20), (5, 'middle', 5), (2, 'leader', 5), (2, 'head', 5), (9, 'office', 1), (40, 'member', -3)`,
		`INSERT INTO person_in_charge (person_id, department_id) VALUES (2, 2), (2, 1), (3, 1)`,
		`INSERT INTO person_unreachable (person_id, platform, since) VALUES (5, 'wecom', 1), (5, 'telegram', 2), (9, 'telegram', 3)`,
	} {
		mustExec(t, db, q)
	}
}

// tablePeople reads everyone from the tables, as the reference.
func tablePeople(t *testing.T, db *DB) []*campaignbot.Person {
	t.Helper()
	tx, err := db.beginRead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	ps, err := findAllPeople(context.Background(), tx)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestRosterSnapshot checks that FindPeople with no filter gives the same
// people from the snapshot as from the tables, uses the snapshot only while
// the roster's generation is the one it was saved in, and reads the tables
// when the snapshot is of another format or does not decode.
func TestRosterSnapshot(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	seedRoster(t, db)
	want := tablePeople(t, db)
	if err := db.SaveRosterSnapshot(ctx); err != nil {
		t.Fatal(err)
	}
	everyone := func() []*campaignbot.Person {
		t.Helper()
		ps, err := db.FindPeople(ctx, campaignbot.PersonFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	if got := everyone(); !reflect.DeepEqual(got, want) {
		t.Fatalf("from the snapshot:\n got %+v\nwant %+v", got, want)
	}
	// Appending to one person's roles must not reach the next one's.
	got := everyone()
	got[0].Roles = append(got[0].Roles, campaignbot.RoleGrant{Role: campaignbot.RoleHead})
	if !reflect.DeepEqual(got[1].Roles, want[1].Roles) {
		t.Errorf("appending to one person's roles changed the next one's: %v", got[1].Roles)
	}

	// The snapshot is what is read while it is current: a forged one shows.
	forged, err := encodeRoster(want[:1])
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `UPDATE roster_snapshot SET people = ?`, forged)
	if got := everyone(); len(got) != 1 {
		t.Fatalf("a current snapshot was not used: %d people", len(got))
	}

	tests := []struct {
		name   string
		change string
	}{
		{"the roster changed", `INSERT INTO person_roles (person_id, role, since) VALUES (3, 'member', 7)`},
		{"another format", `UPDATE roster_snapshot SET format = 99`},
		{"a blob that does not decode", `UPDATE roster_snapshot SET people = x'05ff'`},
		{"an empty blob", `UPDATE roster_snapshot SET people = x''`},
	}
	for _, tt := range tests {
		if err := db.SaveRosterSnapshot(ctx); err != nil {
			t.Fatalf("%s: save: %v", tt.name, err)
		}
		mustExec(t, db, `UPDATE roster_snapshot SET people = ?`, forged)
		mustExec(t, db, tt.change)
		if got, want := everyone(), tablePeople(t, db); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: FindPeople gave %d people, want the tables' %d", tt.name, len(got), len(want))
		}
	}
}

// TestRosterSnapshotNobody: an empty roster saves and reads as nobody.
func TestRosterSnapshotNobody(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if err := db.SaveRosterSnapshot(ctx); err != nil {
		t.Fatal(err)
	}
	if ps, err := db.FindPeople(ctx, campaignbot.PersonFilter{}); err != nil || ps != nil {
		t.Errorf("FindPeople = %v, %v; want nobody", ps, err)
	}
}

// FuzzDecodeRoster: no blob makes the decoder panic, and what decodes and
// encodes again decodes to the same people.
func FuzzDecodeRoster(f *testing.F) {
	p := &campaignbot.Person{ID: 3, Name: "甲", DepartmentID: 2, Department: "业务科", Telegram: "@a",
		Roles: []campaignbot.RoleGrant{{Role: campaignbot.RoleMember, Since: 4}}, InChargeOf: []int64{1},
		Unreachable: []campaignbot.Platform{campaignbot.PlatformWeCom}}
	seed, err := encodeRoster([]*campaignbot.Person{p})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte{})
	f.Add([]byte{0, 0, 1})
	f.Fuzz(func(t *testing.T, blob []byte) {
		ps, err := decodeRoster(blob)
		if err != nil {
			return
		}
		again, err := encodeRoster(ps)
		if err != nil {
			return // IDs out of order decode but do not encode: refused at save
		}
		back, err := decodeRoster(again)
		if err != nil || !reflect.DeepEqual(back, ps) {
			t.Fatalf("re-encoded roster decodes as %+v, %v; want %+v", back, err, ps)
		}
	})
}

// BenchmarkDecodeRoster10k decodes a snapshot of 10,000 people.
func BenchmarkDecodeRoster10k(b *testing.B) {
	var ps []*campaignbot.Person
	for i := range 10000 {
		ps = append(ps, &campaignbot.Person{ID: int64(i + 1), Name: "张三" + string(rune('a'+i%26)), DepartmentID: int64(i%50 + 1),
			Department: "科技管理科", Telegram: "100", Roles: []campaignbot.RoleGrant{{Role: campaignbot.RoleMember, Since: 100}}})
	}
	blob, err := encodeRoster(ps)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(blob)), "bytes")
	for b.Loop() {
		if _, err := decodeRoster(blob); err != nil {
			b.Fatal(err)
		}
	}
}
