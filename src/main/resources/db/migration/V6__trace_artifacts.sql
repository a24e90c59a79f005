-- Trace artifacts in the store (SPEC 7: "trace artifacts live in the shared
-- database"), on H2 as on PostgreSQL, so that a trace uploaded through one node
-- is served by every node. Content-addressed: sha256 is the SHA-256 of the
-- artifact's bytes, which the layerwise_trace_attached record names. The bytes
-- are cut into chunks of at most 256 KiB, so neither storing nor serving an
-- artifact holds more than one chunk in memory, whatever --trace-max-mb allows.
-- An artifact row is inserted with all its chunks in one transaction.
CREATE TABLE trace_artifacts (
    sha256    VARCHAR(64) PRIMARY KEY,
    bytes     BIGINT      NOT NULL,
    chunks    INTEGER     NOT NULL,
    stored_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE trace_artifact_chunks (
    sha256   VARCHAR(64) NOT NULL REFERENCES trace_artifacts (sha256) ON DELETE CASCADE,
    chunk_no INTEGER     NOT NULL,
    data     BYTEA       NOT NULL,
    PRIMARY KEY (sha256, chunk_no)
);
