/**
 * The decision room: the flow of one decision ({@code DecisionService}: facts from the request and the
 * registry, the engine's evaluation, the records, the evidence store) and the life of the serving
 * ruleset ({@code RulesReloader}, {@code RulesWatcher}: compile, warm, record, swap). May use
 * {@code engine}, {@code recorder} and {@code model}; never the HTTP or CLI adapters.
 */
package org.execpolicy.pdp.decision;
