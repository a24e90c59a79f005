-- Signed checkpoints (SPEC 7): each node signs its chain head with its own
-- Ed25519 key at least every 10 s, so records removed from a chain's end are
-- caught, not only those altered or removed in the middle. public_key is the
-- X.509 SubjectPublicKeyInfo, base64; signature is base64 over the text
-- "node_id\nchain_seq\nrecord_hash\nsigned_at" (SignedCheckpoint.payload).
CREATE TABLE node_keys (
    node_id    VARCHAR(64)  PRIMARY KEY,
    public_key VARCHAR(128) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE chain_checkpoints (
    node_id     VARCHAR(64)  NOT NULL,
    chain_seq   BIGINT       NOT NULL,
    record_hash VARCHAR(64)  NOT NULL,
    signed_at   VARCHAR(40)  NOT NULL,
    signature   VARCHAR(128) NOT NULL,
    PRIMARY KEY (node_id, chain_seq)
);
