/**
 * The rules engine, pure: rulesets and their hygiene, facts, one evaluation, rule errors, the records
 * an evaluation is written as, and warm-up. No IO beyond reading DRL sources it is given; uses
 * {@code model} and {@code json} only (RoomsTest keeps it so).
 */
package org.execpolicy.pdp.engine;
