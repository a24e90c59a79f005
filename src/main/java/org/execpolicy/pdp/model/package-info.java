/**
 * The model room: what every other room shares and nothing in it depends on. The facts the rules
 * match ({@code DecisionRequest}, {@code Requested}, {@code Effective}, {@code Waiver}, ...), RFC 8785
 * canonical JSON and SHA-256 (the policy and record hashes), time-ordered ids, strict UTF-8, and the
 * secret redactor free text passes before it is stored. Uses no other room (RoomsTest keeps it so).
 */
package org.execpolicy.pdp.model;
