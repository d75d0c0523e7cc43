package store

import (
	"context"
	"fmt"
	"testing"

	"campaignbot"
)

// BenchmarkCreateSubmission measures a chat submission's store work: the
// next version and the insert, in one transaction.
func BenchmarkCreateSubmission(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	ids := importPeople(b, db, "甲")
	b.ResetTimer()
	for range b.N {
		s := &campaignbot.Submission{TaskKey: "study-notes", PersonID: ids["甲"], Text: "学习笔记"}
		if err := db.CreateSubmission(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBareInsert is the baseline for BenchmarkCreateSubmission: one
// row per transaction into the same kind of database, through the same pool.
func BenchmarkBareInsert(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	if _, err := db.wdb.ExecContext(ctx, `CREATE TABLE bare (id INTEGER PRIMARY KEY, text TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		tx, err := db.beginTx(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bare (text) VALUES (?)`, "学习笔记"); err != nil {
			b.Fatal(err)
		}
		if err := tx.commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFindSubmissionRecords reads 20,000 submissions' records, as the
// scheduler's first read does.
func BenchmarkFindSubmissionRecords(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	ids := importPeople(b, db, "甲")
	tx, err := db.beginTx(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for range 20000 {
		if err := createSubmission(ctx, tx, &campaignbot.Submission{TaskKey: "study-notes", PersonID: ids["甲"], Text: "x"}); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.commit(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		rs, _, err := db.FindSubmissionRecordsAfter(ctx, 0, nil)
		if err != nil || len(rs) != 20000 {
			b.Fatalf("%d records, %v", len(rs), err)
		}
	}
}

// BenchmarkImportRoster10k imports a roster of 10,000 people in 50
// departments, as the performance targets assume.
func BenchmarkImportRoster10k(b *testing.B) {
	ctx := context.Background()
	var es []campaignbot.RosterEntry
	for i := range 10000 {
		es = append(es, campaignbot.RosterEntry{Line: i + 2, Name: fmt.Sprint("成员", i), Departments: []string{fmt.Sprint("科室", i%50)},
			Roles: []campaignbot.Role{campaignbot.RoleMember}, Telegram: fmt.Sprint("user", i)})
	}
	for range b.N {
		db := MustOpen(b)
		if _, _, err := db.ImportRoster(ctx, es); err != nil {
			b.Fatal(err)
		}
	}
}
