-- Replay (inputs of decisions and the rulesets that decided). Plain SQL that
-- both H2 and PostgreSQL accept. Both tables are content-addressed and only
-- ever inserted into (if absent): a row, once written, never changes.

-- Registry entries a decision was made from (work profile, dynamic role,
-- waiver), stored once however many decisions use them. body is the RFC 8785
-- canonical JSON; sha256 is the SHA-256 of its UTF-8 bytes, the value an
-- llm_exec_policy record names in inputs.
CREATE TABLE input_snapshots (
    sha256     VARCHAR(64)  PRIMARY KEY,
    kind       VARCHAR(32)  NOT NULL,
    body       VARCHAR      NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The DRL files of every ruleset that was loaded, by ruleset digest (SHA-256
-- of the files' bytes concatenated in seq order). content is the file's text
-- when encoding = 'utf-8', its bytes in base64 when encoding = 'base64'.
CREATE TABLE ruleset_sources (
    digest     VARCHAR(64)  NOT NULL,
    seq        INTEGER      NOT NULL,
    file_name  VARCHAR(256) NOT NULL,
    sha256     VARCHAR(64)  NOT NULL,
    encoding   VARCHAR(8)   NOT NULL,
    content    VARCHAR      NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (digest, seq)
);
