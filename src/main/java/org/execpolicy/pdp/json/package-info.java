/**
 * The json room: machinery with no domain in it. RFC 8785 canonical JSON and SHA-256 (the policy and
 * record hashes), the shared Jackson mapper and its helpers ({@code Json}, I-JSON limits), the JSON
 * diff a registry change records, time-ordered ids and strict UTF-8. Uses no other room (RoomsTest
 * keeps it so): every room may use it.
 */
package org.execpolicy.pdp.json;
