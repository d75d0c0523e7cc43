-- A problem remembers the chat message that filed it, so that a message
-- processed again after a crash does not file the problem twice.
ALTER TABLE problems ADD COLUMN source_key TEXT;
CREATE UNIQUE INDEX problems_source_key ON problems(source_key);
