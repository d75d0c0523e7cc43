-- 0016_anonymity_pending: a row here says that anonymous rows were written
-- since the nightly maintenance last erased their order (SPEC §2), so that
-- a night without anonymous acts does not rewrite the anonymous tables. It
-- holds no time and no count.
CREATE TABLE anonymity_pending (
	one INTEGER PRIMARY KEY CHECK (one = 1)
);
-- Rows written before this migration have never had their order erased.
INSERT INTO anonymity_pending (one) VALUES (1);
