-- Every saved version of a Work Profile, written in the same transaction as
-- the profile itself and its work_profile_changed record. Never updated.
CREATE TABLE profile_versions (
    profile_id   VARCHAR(256) NOT NULL,
    version      INTEGER      NOT NULL,
    profile_hash VARCHAR(64)  NOT NULL,
    body         VARCHAR      NOT NULL,
    operator     VARCHAR(256),
    saved_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (profile_id, version)
);
