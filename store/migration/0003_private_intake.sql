-- A handled chat message keeps the replies it got, so a message processed
-- again after a crash (between the engine's commit and the adapter queueing
-- the replies) is answered again instead of silently.
ALTER TABLE handled ADD COLUMN replies BLOB;

-- Raw updates are needed only until they are processed: drop the payloads
-- of those already processed (MarkInboundProcessed now does it at once).
UPDATE inbound SET payload = x'' WHERE processed_at IS NOT NULL;
