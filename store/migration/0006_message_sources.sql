-- A named opinion and a problem event remember the chat message that made
-- them, so that a message processed again after a crash (between the
-- change and the record that it was handled) does not make them twice.
-- Anonymous opinions never get one.
ALTER TABLE opinions ADD COLUMN source_key TEXT;
CREATE UNIQUE INDEX opinions_source_key ON opinions(source_key);
ALTER TABLE problem_events ADD COLUMN source_key TEXT;
CREATE UNIQUE INDEX problem_events_source_key ON problem_events(source_key);
