/**
 * What actually ran: trace uploads read line by line ({@code TraceReader}), runtime reports compared
 * with the grant, violations, and the trace deadline ({@code RuntimeEvidence},
 * {@code TraceDeadlineSchedule}). May use {@code engine}, {@code recorder} and {@code model}; never
 * the HTTP or CLI adapters.
 */
package org.execpolicy.pdp.execution;
