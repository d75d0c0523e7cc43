-- 0080_person_removed: a person taken off the roster (roster remove, the web
-- console) keeps their row, so that what they submitted, filed and answered
-- keeps its author; removed_at marks them gone, and the roster's reads skip
-- them.
ALTER TABLE people ADD COLUMN removed_at INTEGER;
