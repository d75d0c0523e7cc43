-- Wrong invite codes, by chat account, so that the limit on guessing
-- (five in fifteen minutes) holds across a restart. Rows older than the
-- window are deleted as new ones come.
CREATE TABLE invite_failures (
	account TEXT NOT NULL,
	at      INTEGER NOT NULL
);
CREATE INDEX invite_failures_account ON invite_failures(account, at);
CREATE INDEX invite_failures_at ON invite_failures(at);
