package org.execpolicy.pdp.ruletest;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One test case of a rules directory, read and checked; `where` is its `file:line`. A case with a
 * `report` (the body of POST /v1/decisions/{id}/report) also runs report.drl on it, against the
 * decision the case makes; `traceMissing` says the decision's trace was already recorded missing.
 */
public record RuleCase(String name, String where, JsonNode request, CaseFixtures fixtures, Instant now,
                Expectations expect, JsonNode report, boolean traceMissing) {
}
