package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"campaignbot"
	"campaignbot/plan"
	_ "campaignbot/store"
)

func main() {
	ctx := context.Background()
	path := os.Getenv("DBP")
	pl, _, _ := plan.Default(campaignbot.NewDate(2026, 3, 1))
	day := pl.FindPhase("study").End - 5
	now := day.Time(pl.Loc()).Add(10 * time.Hour)
	if _, err := os.Stat(path); err != nil {
		os.MkdirAll("/tmp/exp", 0o755)
		t := time.Now()
		if err := seed(ctx, path, pl, org{10000, 50, 200000}, day, now); err != nil {
			panic(err)
		}
		fmt.Println("seed", time.Since(t))
	}
	raw, _ := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)&_pragma=journal_mode(WAL)")
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	if os.Getenv("PAR") != "" { par(path); return }
	for _, q := range os.Args[1:] {
		for range 3 {
			t := time.Now()
			rows, err := raw.QueryContext(ctx, q)
			if err != nil {
				panic(err)
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			n, bytes := 0, 0
			for rows.Next() {
				rows.Scan(ptrs...)
				n++
				for _, v := range vals {
					if s, ok := v.(string); ok {
						bytes += len(s)
					}
					if s, ok := v.([]byte); ok {
						bytes += len(s)
					}
				}
			}
			rows.Close()
			fmt.Printf("%-100.100s %6d rows %8d bytes %v\n", q, n, bytes, time.Since(t))
		}
	}
}
