-- The newest records of a trace or a decision (GET /v1/events?trace_id=..., ?decision_id=...) are read
-- newest first by walking an index backwards, which H2 does only when the index's columns are the
-- ORDER BY's from the first: (trace_id) alone made it sort every record of the trace first.
-- seq is the table's key: the new indexes hold nothing the old ones did not.
DROP INDEX evidence_trace_id;
CREATE INDEX evidence_trace_seq ON evidence (trace_id, seq);
DROP INDEX evidence_decision_id;
CREATE INDEX evidence_decision_seq ON evidence (decision_id, seq);
