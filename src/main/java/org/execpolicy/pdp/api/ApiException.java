package org.execpolicy.pdp.api;

import java.util.List;
import org.execpolicy.pdp.json.FieldError;

/** A request the API refuses, with the HTTP status, error kind and the fields at fault. */
final class ApiException extends RuntimeException {
    private final int status;
    private final String errorType;
    private final List<FieldError> errors;
    private final com.fasterxml.jackson.databind.node.ObjectNode members;

    ApiException(int status, String errorType, String detail, List<FieldError> errors) {
        this(status, errorType, detail, errors, null);
    }

    /** @param members problem members beyond the standard ones (e.g. a 410's reason and checkpoint), or null */
    ApiException(int status, String errorType, String detail, List<FieldError> errors,
                 com.fasterxml.jackson.databind.node.ObjectNode members) {
        super(detail);
        this.status = status;
        this.errorType = errorType;
        this.errors = List.copyOf(errors);
        this.members = members;
    }

    /** SPEC 4 (v2): what retention purged answers 410 with the reason and the record that proves the purge. */
    static ApiException purged(String detail, com.fasterxml.jackson.databind.JsonNode checkpoint) {
        com.fasterxml.jackson.databind.node.ObjectNode members = org.execpolicy.pdp.json.Json.object();
        members.put("reason", "purged_by_retention");
        members.set("checkpoint", checkpoint);
        return new ApiException(410, "invalid_request", detail, List.of(), members);
    }

    com.fasterxml.jackson.databind.node.ObjectNode members() {
        return members;
    }

    static ApiException notFound(String detail) {
        return new ApiException(404, "invalid_request", detail, List.of());
    }

    static ApiException conflict(String detail) {
        return new ApiException(409, "invalid_request", detail, List.of());
    }

    /** 422: well-formed, but not acceptable; the path names the field. */
    static ApiException unprocessable(String path, String message) {
        return new ApiException(422, "invalid_request", message + " (at " + path + ")",
                List.of(new FieldError(path, message)));
    }

    static ApiException badField(String path, String message) {
        return new ApiException(400, "invalid_request", message + " (at " + path + ")",
                List.of(new FieldError(path, message)));
    }

    int status() {
        return status;
    }

    String errorType() {
        return errorType;
    }

    List<FieldError> errors() {
        return errors;
    }
}
