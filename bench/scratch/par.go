package main

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

type rec struct {
	id, person, dept, at int64
	task                 string
}

func readRange(ctx context.Context, db *sql.DB, lo, hi int64) []rec {
	rows, err := db.QueryContext(ctx, `SELECT id, task_key, person_id, COALESCE(department_id, 0), submitted_at FROM submissions WHERE id > ? AND id <= ? AND state <> 'returned' ORDER BY id`, lo, hi)
	if err != nil {
		panic(err)
	}
	defer rows.Close()
	var out []rec
	intern := map[string]string{}
	var task sql.RawBytes
	for rows.Next() {
		var r rec
		if err := rows.Scan(&r.id, &task, &r.person, &r.dept, &r.at); err != nil {
			panic(err)
		}
		s, ok := intern[string(task)]
		if !ok {
			s = string(task)
			intern[s] = s
		}
		r.task = s
		out = append(out, r)
	}
	return out
}

func par(path string) {
	ctx := context.Background()
	db, _ := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)&_pragma=journal_mode(WAL)")
	db.SetMaxOpenConns(4)
	defer db.Close()
	for _, k := range []int{1, 2, 4} {
		for range 2 {
			t := time.Now()
			var max int64
			db.QueryRow("SELECT max(id) FROM submissions").Scan(&max)
			var wg sync.WaitGroup
			parts := make([][]rec, k)
			for i := range k {
				wg.Add(1)
				go func() {
					defer wg.Done()
					parts[i] = readRange(ctx, db, max*int64(i)/int64(k), max*int64(i+1)/int64(k))
				}()
			}
			wg.Wait()
			n := 0
			for _, p := range parts {
				n += len(p)
			}
			fmt.Println("parallel", k, n, time.Since(t))
		}
	}
}
