/**
 * The cli room: the {@code pdp} command, a thin adapter. {@code serve} starts the HTTP server
 * ({@code api}); {@code decide} and {@code rules check} run the decision pipeline offline on fixtures
 * ({@code OfflineDecision}, {@code CaseFixtures}); {@code replay}, {@code recorder verify|export} open
 * the store read-only ({@code OfflineStore}); {@code bench} measures. Policy is never decided here.
 */
package org.execpolicy.pdp.cli;
