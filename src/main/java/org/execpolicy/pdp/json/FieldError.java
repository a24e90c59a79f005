package org.execpolicy.pdp.json;

/** One validation error: a JSON pointer into the request (or "/name" of a parameter) and what is wrong. */
public record FieldError(String path, String message) {
}
