-- Hash chain (tamper evidence). Each writer node keeps its own chain:
-- chain_seq is gap-free per node, prev_hash is the record_hash of the node's
-- previous record, record_hash = SHA-256(prev_hash || RFC 8785 canonical JSON
-- of the record without record_hash). The same values are inside body.
ALTER TABLE events ADD COLUMN node_id VARCHAR(64);
ALTER TABLE events ADD COLUMN chain_seq BIGINT;
ALTER TABLE events ADD COLUMN prev_hash VARCHAR(64);
ALTER TABLE events ADD COLUMN record_hash VARCHAR(64);
CREATE UNIQUE INDEX events_chain ON events (node_id, chain_seq);
