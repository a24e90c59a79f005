package org.execpolicy.pdp.cli;

/** One thing wrong with an input: where it is (a JSON pointer into its document) and what is wrong. */
record Problem(String pointer, String message) {
}
