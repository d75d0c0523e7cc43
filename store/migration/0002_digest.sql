-- 0002_digest: indexes for the scheduler's digest. Reviewed versions and
-- returned ones are few among many submissions, so partial indexes find
-- them without scanning the table.
CREATE INDEX submissions_in_review ON submissions(id) WHERE state = 'submitted';
CREATE INDEX submissions_returned ON submissions(id) WHERE state = 'returned';
