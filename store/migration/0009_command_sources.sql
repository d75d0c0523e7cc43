-- Leave, review decisions and rectification items remember the chat
-- message that made them, as submissions, opinions and problem events do:
-- a message processed again after a crash (between the change and the
-- record that it was handled) finds what it made instead of making it
-- twice or being refused.
ALTER TABLE leaves ADD COLUMN source_key TEXT;
CREATE UNIQUE INDEX leaves_source_key ON leaves(source_key);
ALTER TABLE review_comments ADD COLUMN source_key TEXT;
CREATE UNIQUE INDEX review_comments_source_key ON review_comments(source_key);
ALTER TABLE ledger_items ADD COLUMN source_key TEXT;
CREATE UNIQUE INDEX ledger_items_source_key ON ledger_items(source_key);
