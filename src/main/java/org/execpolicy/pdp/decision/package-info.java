/**
 * The decision room: the flow of one decision ({@code DecisionService}: facts from the request and the
 * registry, the engine's evaluation, the records, the evidence store), the answer about a decision
 * built from its records ({@code DecisionView}: what POST answers and GET, {@code decide} and
 * {@code rules check} show), and the life of the serving ruleset ({@code RulesReloader},
 * {@code RulesWatcher}: compile, warm, record, swap). May use {@code engine}, {@code recorder},
 * {@code execution} (whether a decision expects a trace), {@code model} and {@code json}; never the
 * HTTP or CLI adapters.
 */
package org.execpolicy.pdp.decision;
