/**
 * The cli room: the {@code pdp} command, a thin adapter. {@code serve} starts the HTTP server
 * ({@code api}); {@code decide} and {@code rules check} wrap the rule-case library ({@code ruletest}:
 * fixtures, the offline decision, case runs and coverage); {@code replay}, {@code recorder
 * verify|export} open the store read-only ({@code OfflineStore}); {@code bench} measures. Policy is
 * never decided here. May use every room.
 */
package org.execpolicy.pdp.cli;
