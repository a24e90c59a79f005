package org.execpolicy.pdp.api;

/** One validation error: a JSON pointer into the request (or "/name" of a parameter) and what is wrong. */
record FieldError(String path, String message) {
}
