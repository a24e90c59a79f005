package org.execpolicy.pdp.api;

import java.util.List;

/** A request the API refuses, with the HTTP status, error kind and the fields at fault. */
final class ApiException extends RuntimeException {
    private final int status;
    private final String errorType;
    private final List<FieldError> errors;

    ApiException(int status, String errorType, String detail, List<FieldError> errors) {
        super(detail);
        this.status = status;
        this.errorType = errorType;
        this.errors = List.copyOf(errors);
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
