-- H2 only (PostgreSQL keeps its per-session default: there a cache would hand each node's
-- sessions blocks of seq, and seq would no longer follow commit order across nodes).
-- H2's identity sequence caches 32 values by default: every 32nd evidence row made H2 write
-- the sequence's new margin through its system session, a commit of its own and, with
-- WRITE_DELAY=0, a chunk of its own on disk: 7% of the PDP's CPU under load and about 80 extra
-- chunks a second. After a crash the next seq starts past the cached margin: seq has gaps then,
-- which nothing reads as missing (the chain is chain_seq, gap-free per node).
ALTER TABLE evidence ALTER COLUMN seq SET CACHE 1000000;
