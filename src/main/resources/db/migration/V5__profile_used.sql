-- Work Profiles are immutable once used (SPEC 2, spec 4.3.7.1). used_at is set,
-- once, in the same transaction as the records of the first decision that used
-- the profile (first_decision_id), by whichever node made it; a PUT replaces a
-- profile only WHERE used_at IS NULL, so on a shared PostgreSQL store the row
-- lock orders a profile's first use and its replacement, whatever the nodes.
ALTER TABLE profiles ADD COLUMN used_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE profiles ADD COLUMN first_decision_id VARCHAR(64);
