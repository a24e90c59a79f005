/**
 * The ruletest room: rule cases as a library ({@code rules check} and {@code decide} wrap it). It
 * reads {@code tests/*.yaml} ({@code RuleCaseFiles}, {@code SourceDocument} for {@code file:line}
 * messages, {@code ApiSchemas} for the request and fixture schemas of {@code openapi.yaml}), the
 * registry fixtures a case carries ({@code CaseFixtures}, refused as the registry would refuse them),
 * runs each case offline through the same decision pipeline and answer as the server
 * ({@code OfflineDecision}, {@code RuleCaseRunner}), compares it with what the case expects
 * ({@code Expectations}) and counts the rules the cases fire ({@code RuleCoverage}). May use
 * {@code engine}, {@code decision} (the answer view), {@code registry} (the entry checks),
 * {@code model} and {@code json}; never the HTTP adapter.
 */
package org.execpolicy.pdp.ruletest;
