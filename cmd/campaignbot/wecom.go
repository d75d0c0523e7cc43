package main

import "context"

// openWeCom builds the WeCom adapter.
func (m *Main) openWeCom(ctx context.Context, kick func()) error {
	return usagef("WeCom is not wired yet")
}
