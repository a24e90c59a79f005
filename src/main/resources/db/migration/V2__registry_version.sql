-- The registry version: one row, incremented in the same transaction as any
-- change of profiles, roles, waivers or the active profile. Each node keeps
-- the registry in memory and reloads it when this number moves (several nodes
-- on one PostgreSQL, SPEC 7); each decision records the version it used.
CREATE TABLE registry_version (
    id      INTEGER PRIMARY KEY,
    version BIGINT  NOT NULL
);
INSERT INTO registry_version (id, version) VALUES (1, 0);
