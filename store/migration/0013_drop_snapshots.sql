-- 0013_drop_snapshots: the speed machinery that the sizes of SPEC §10 do not
-- need. The submission record snapshot and its epoch (0007), the roster's
-- generation and the triggers that moved it (0008), and the roster snapshot
-- (0010) go: the scheduler reads the tables themselves.
DROP TRIGGER IF EXISTS submissions_delete_records;
DROP TRIGGER IF EXISTS submissions_update_records;
DROP TRIGGER IF EXISTS departments_insert_generation;
DROP TRIGGER IF EXISTS departments_update_generation;
DROP TRIGGER IF EXISTS departments_delete_generation;
DROP TRIGGER IF EXISTS people_insert_generation;
DROP TRIGGER IF EXISTS people_update_generation;
DROP TRIGGER IF EXISTS people_delete_generation;
DROP TRIGGER IF EXISTS person_roles_insert_generation;
DROP TRIGGER IF EXISTS person_roles_update_generation;
DROP TRIGGER IF EXISTS person_roles_delete_generation;
DROP TRIGGER IF EXISTS person_in_charge_insert_generation;
DROP TRIGGER IF EXISTS person_in_charge_update_generation;
DROP TRIGGER IF EXISTS person_in_charge_delete_generation;
DROP TRIGGER IF EXISTS person_unreachable_insert_generation;
DROP TRIGGER IF EXISTS person_unreachable_update_generation;
DROP TRIGGER IF EXISTS person_unreachable_delete_generation;
DROP TRIGGER IF EXISTS accounts_insert_generation;
DROP TRIGGER IF EXISTS accounts_update_generation;
DROP TRIGGER IF EXISTS accounts_delete_generation;
DROP TABLE IF EXISTS submission_record_snapshot;
DROP TABLE IF EXISTS submission_record_epoch;
DROP TABLE IF EXISTS roster_snapshot;
DROP TABLE IF EXISTS roster_generation;
