package campaignbot

import "testing"

// TestFaultAdvice: every fault of the deployment tells the operator and the
// office what to fix, in both languages.
func TestFaultAdvice(t *testing.T) {
	for _, code := range []string{FaultTelegramToken, FaultTelegramConflict, FaultTelegramGroup,
		FaultWeComIP, FaultWeComSecret, FaultWeComCorpID, FaultWeComRobotKey} {
		key := "fault.advice." + code
		if _, ok := catalog[key]; !ok {
			t.Errorf("fault %s has no advice (%s)", code, key)
		}
	}
	for _, p := range []Platform{PlatformTelegram, PlatformWeCom, PlatformConsole} {
		if _, ok := catalog["fault.platform."+string(p)]; !ok {
			t.Errorf("platform %s has no name in the catalog", p)
		}
	}
}
