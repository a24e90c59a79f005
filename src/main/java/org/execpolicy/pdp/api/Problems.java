package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.execpolicy.pdp.json.FieldError;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.recorder.ConcurrentChangeException;
import org.execpolicy.pdp.recorder.RecorderUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes every error as application/problem+json (RFC 9457) with the runtime contract's error kinds. */
final class Problems {
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

    private Problems() {
    }

    /** The router's failure and error handler: validation failures, 404, 405, 413 and anything thrown. */
    static void handle(RoutingContext ctx) {
        Throwable failure = unwrap(ctx.failure());
        if (failure instanceof ApiException api) {
            send(ctx, api.status(), api.errorType(), api.getMessage(), api.errors(), api.members());
        } else if (failure instanceof HttpException http && http.getCause() instanceof ValidatorException invalid) {
            validationFailed(ctx, invalid);
        } else if (failure instanceof ConcurrentChangeException conflict) {
            send(ctx, 409, "invalid_request", conflict.getMessage(), List.of());
        } else if (failure instanceof RecorderUnavailableException) {
            send(ctx, 503, "runtime_unavailable",
                    "the Flight Recorder cannot store records; no decision is given unrecorded", List.of());
        } else if (failure == null || failure instanceof HttpException) {
            int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
            send(ctx, status, errorType(status), plainDetail(ctx, status), List.of());
        } else {
            LOG.error("internal error on {} {}", ctx.request().method(), ctx.request().path(), failure);
            send(ctx, 500, "internal_error", "internal error: " + failure.getClass().getSimpleName(), List.of());
        }
    }

    private static void validationFailed(RoutingContext ctx, ValidatorException invalid) {
        if (invalid.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT
                && invalid.getMessage().startsWith("The format of the request body")) {
            send(ctx, 415, "invalid_request", "the request body must be application/json, was "
                    + String.valueOf(ctx.request().getHeader("content-type")), List.of());
            return;
        }
        List<FieldError> errors = ValidationErrors.of(invalid, ctx);
        FieldError first = errors.get(0);
        String detail = first.path().isEmpty() ? first.message() : first.path() + ": " + first.message();
        send(ctx, 400, "invalid_request", detail, errors);
    }

    private static String plainDetail(RoutingContext ctx, int status) {
        return switch (status) {
            case 404 -> "no such resource: " + ctx.request().path();
            case 405 -> ctx.request().method() + " is not allowed on " + ctx.request().path();
            case 413 -> "the request body is larger than " + PdpServer.BODY_LIMIT_BYTES + " bytes";
            case 504 -> "the request was not answered within the server's time limit (--request-timeout-ms)";
            default -> HttpResponseStatus.valueOf(status).reasonPhrase();
        };
    }

    /** The runtime contract's error kind of a status without a more specific cause. */
    static String errorType(int status) {
        return switch (status) {
            case 429 -> "rate_limited";
            case 503 -> "runtime_unavailable";
            case 504 -> "timeout";
            default -> status >= 500 ? "internal_error" : "invalid_request";
        };
    }

    /**
     * The server's handler of requests the HTTP decoder refused before any routing: a request
     * head over {@link PdpServer#MAX_HEADER_BYTES} (431), a request line too long (414) or a
     * malformed request (400). Answered as a problem, then the connection is closed, as Vert.x does.
     */
    static void invalidRequest(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status;
        String detail;
        if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            detail = "the request headers are larger than " + PdpServer.MAX_HEADER_BYTES + " bytes";
        } else if (cause instanceof TooLongHttpLineException) {
            status = 414;
            detail = "the request line is longer than " + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH + " bytes";
        } else {
            status = 400;
            detail = "the request is not valid HTTP";
        }
        request.response().setStatusCode(status).putHeader("content-type", "application/problem+json")
                .putHeader("connection", "close")
                .end(problem(status, "invalid_request", detail, List.of()).toString());
        request.connection().close();
    }

    static void send(RoutingContext ctx, int status, String errorType, String detail, List<FieldError> errors) {
        send(ctx, status, errorType, detail, errors, null);
    }

    /** As above, with members of the problem beyond the standard ones (null: none). */
    static void send(RoutingContext ctx, int status, String errorType, String detail, List<FieldError> errors,
                     ObjectNode members) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        ObjectNode problem = problem(status, errorType, detail, errors);
        if (members != null) {
            members.fields().forEachRemaining(member -> problem.putIfAbsent(member.getKey(), member.getValue()));
        }
        ctx.response().setStatusCode(status).putHeader("content-type", "application/problem+json")
                .end(problem.toString());
    }

    private static ObjectNode problem(int status, String errorType, String detail, List<FieldError> errors) {
        ObjectNode problem = Json.object();
        problem.put("type", "about:blank");
        problem.put("title", HttpResponseStatus.valueOf(status).reasonPhrase());
        problem.put("status", status);
        problem.put("detail", detail);
        // the runtime contract's error object calls it message (SPEC 5): same text, so either reader works
        problem.put("message", detail);
        problem.put("error_type", errorType);
        if (!errors.isEmpty()) {
            ArrayNode list = problem.putArray("errors");
            errors.forEach(e -> list.addObject().put("path", e.path()).put("message", e.message()));
        }
        return problem;
    }

    private static Throwable unwrap(Throwable failure) {
        while (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        return failure;
    }
}
