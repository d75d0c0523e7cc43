package main

import (
	"campaignbot"
	"campaignbot/store"
)

// lockStore takes the instance lock of the store cfg names, for run: the
// other commands are short and may run beside it. Run creates a missing
// database, so it lets cfg create one.
func lockStore(cfg *Config) (*store.InstanceLock, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.createDB = true
	if store.IsPostgresURL(cfg.DB) {
		// Replicas share a PostgreSQL store by design (replicas.go).
		return nil, nil
	}
	l, err := store.Lock(cfg.DB)
	if campaignbot.ErrorCode(err) == campaignbot.ECONFLICT {
		// Another run holds the store: bad usage, exit status 2.
		return nil, usagef("%s", campaignbot.ErrorMessage(err))
	}
	return l, err
}
