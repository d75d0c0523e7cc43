-- One index fewer to maintain on every submission, the chat path's write:
-- (person_id, task_key, version) serves both the next-version lookup and
-- "my submissions", which needed an index each.
DROP INDEX submissions_task_person;
DROP INDEX submissions_person_id;
CREATE INDEX submissions_person_task ON submissions(person_id, task_key, version);
