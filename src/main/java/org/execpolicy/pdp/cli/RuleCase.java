package org.execpolicy.pdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One test case of a rules directory, read and checked; `where` is its `file:line`. */
record RuleCase(String name, String where, JsonNode request, CaseFixtures fixtures, Instant now,
                Expectations expect) {
}
