/**
 * The Flight Recorder and the registry store: evidence units, the hash chain, group commit, verify,
 * export, retention, signed checkpoints, trace artifacts (content-addressed, in the store so that
 * every node serves them), on embedded H2 or PostgreSQL; which Work Profiles decisions have used
 * (immutable from then on); the registry's SQL side ({@code RegistryStore}: profiles, roles and waivers
 * stored in the same transaction as their records; the rules about them live in {@code registry}).
 * Uses {@code model}, {@code json} and JDBC only: it knows nothing of rules or HTTP (RoomsTest keeps it so).
 */
package org.execpolicy.pdp.recorder;
