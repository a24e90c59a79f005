/**
 * What actually ran: trace uploads read line by line ({@code TraceReader}), runtime reports judged by
 * rules/report.drl (Java records the violation or runtime_downgrade the rules conclude, the executed
 * llm_exec_policy record and the report's firings), the trace deadline and trace retention (trace_purged) ({@code ExecutionService},
 * {@code TraceDeadlineSchedule}). May use {@code engine}, {@code recorder}, {@code model} and
 * {@code json}; never {@code decision} (which reads it), the HTTP or CLI adapters.
 */
package org.execpolicy.pdp.execution;
