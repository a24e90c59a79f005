package org.execpolicy.pdp.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import org.execpolicy.pdp.execution.ExecutionService;
import org.execpolicy.pdp.recorder.TraceArtifacts;

/**
 * PUT and GET {@code /v1/traces/{decision_id}}: the layer-wise trace a runtime uploads to the
 * reference its decision reserved, and the stored artifact for auditors. Served on the root
 * router, ahead of the OpenAPI router's 1 MiB body handler: the upload is streamed to a scratch file
 * (with back-pressure, so the server never holds more than a few buffers of it), then checked
 * line by line off the event loop and stored in the shared store; it is served from there a chunk
 * at a time, by whichever node is asked. A stalled upload is cut after the request timeout of silence
 * instead of after the request timeout in total, so that a large trace on a slow link gets through.
 */
final class TraceHandlers {
    /** How long, and how many bytes, the rest of a refused upload is read and dropped before closing. */
    private static final long LINGER_MS = 2_000;
    private static final long LINGER_MAX_BYTES = 8L * 1024 * 1024;
    static final String PATH = "/v1/traces/:decision_id";
    private static final String PREFIX = "/v1/traces/";
    private static final String NDJSON = "application/x-ndjson";
    private static final int MAX_ID_LENGTH = 64;

    private final Vertx vertx;
    private final ExecutionService evidence;
    private final long idleTimeoutMs;

    /** @param idleTimeoutMs silence after which an upload is answered 504; 0: never */
    TraceHandlers(Vertx vertx, ExecutionService evidence, long idleTimeoutMs) {
        this.vertx = vertx;
        this.evidence = evidence;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    /** Uploads are exempt from the request timeout: they have their own idle timeout. */
    static boolean isUpload(RoutingContext ctx) {
        return ctx.request().method() == HttpMethod.PUT && ctx.normalizedPath().startsWith(PREFIX);
    }

    void upload(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        request.pause(); // not a byte is read before the upload is admitted
        String decisionId = ctx.pathParam("decision_id");
        String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).trim().startsWith(NDJSON)) {
            refuseUnread(ctx, new ApiException(415, "invalid_request", "a trace must be sent as " + NDJSON
                    + " (hsk.layerwise_trace@0.1 JSON Lines), was " + contentType, List.of()));
            return;
        }
        long declared = declaredLength(request);
        if (declared > evidence.limits().maxBytes()) {
            refuseUnread(ctx, tooLarge());
            return;
        }
        if (decisionId.length() > MAX_ID_LENGTH) {
            refuseUnread(ctx, ApiException.notFound("no decision '" + decisionId.substring(0, MAX_ID_LENGTH) + "...'"));
            return;
        }
        Http.blocking(vertx, () -> evidence.beginUpload(decisionId))
                .onFailure(e -> refuseUnread(ctx, ExecutionRefusals.translate(e)))
                .onSuccess(upload -> vertx.fileSystem().open(upload.file().toString(), new OpenOptions().setWrite(true))
                        .onFailure(e -> abort(upload).onComplete(done -> refuseUnread(ctx, e)))
                        .onSuccess(file -> new Transfer(ctx, upload, file).start()));
    }

    void get(RoutingContext ctx) {
        String decisionId = ctx.pathParam("decision_id");
        Http.blocking(vertx, () -> evidence.trace(decisionId))
                .onFailure(e -> ctx.fail(ExecutionRefusals.translate(e)))
                .onSuccess(artifact -> {
                    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, NDJSON)
                            .putHeader(HttpHeaders.ETAG, "\"" + artifact.sha256() + "\"")
                            .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(artifact.bytes()));
                    sendChunk(ctx, artifact, 0);
                });
    }

    /**
     * Sends the artifact a chunk at a time from the store, the next one read once the last is written
     * out: the server holds one chunk of it, however large it is and however slow the reader.
     */
    private void sendChunk(RoutingContext ctx, TraceArtifacts.Stored artifact, int chunkNo) {
        if (chunkNo == artifact.chunks()) {
            ctx.response().end();
            return;
        }
        Http.blocking(vertx, () -> evidence.traceChunk(artifact, chunkNo))
                .compose(bytes -> ctx.response().write(Buffer.buffer(bytes)))
                .onSuccess(written -> sendChunk(ctx, artifact, chunkNo + 1))
                .onFailure(e -> {
                    if (ctx.response().headWritten()) {
                        ctx.response().reset(); // a cut answer must not pass for a whole trace
                    } else {
                        ctx.fail(e);
                    }
                });
    }

    /** Copies the request body into the upload's file, keeping count, then has it checked. */
    private final class Transfer {
        private final RoutingContext ctx;
        private final HttpServerRequest request;
        private final ExecutionService.Upload upload;
        private final AsyncFile file;
        private long bytes;
        private boolean over;
        private long idleTimer = -1;

        Transfer(RoutingContext ctx, ExecutionService.Upload upload, AsyncFile file) {
            this.ctx = ctx;
            this.request = ctx.request();
            this.upload = upload;
            this.file = file;
        }

        void start() {
            request.handler(buffer -> {
                if (over) {
                    return;
                }
                bytes += buffer.length();
                if (bytes > evidence.limits().maxBytes()) {
                    stop(tooLarge());
                    return;
                }
                file.write(buffer).onFailure(this::stop); // a full disk must not pass off a short trace
                if (file.writeQueueFull()) {
                    request.pause();
                    file.drainHandler(v -> request.resume());
                }
                armIdleTimer();
            });
            request.exceptionHandler(e -> stop(e)); // connection lost: nobody to answer, nothing to keep
            request.endHandler(v -> {
                if (over) {
                    return;
                }
                over = true;
                vertx.cancelTimer(idleTimer);
                file.close()
                        .compose(closed -> Http.blocking(vertx, () -> evidence.completeUpload(upload)))
                        .onSuccess(attached -> Http.json(ctx, 201, attached))
                        .onFailure(e -> ctx.fail(ExecutionRefusals.translate(e)));
            });
            armIdleTimer();
            request.resume();
        }

        private void armIdleTimer() {
            if (idleTimeoutMs <= 0) {
                return;
            }
            vertx.cancelTimer(idleTimer);
            idleTimer = vertx.setTimer(idleTimeoutMs, id -> stop(new ApiException(504, "timeout",
                    "no bytes of the trace arrived for " + idleTimeoutMs + " ms (--request-timeout-ms)", List.of())));
        }

        private void stop(Throwable failure) {
            if (over) {
                return;
            }
            over = true;
            vertx.cancelTimer(idleTimer);
            request.handler(null);
            // answered once nothing is left of it, so that what the client reads is true
            file.close().eventually(() -> abort(upload)).onComplete(done -> refuseUnread(ctx, failure));
        }
    }

    private Future<Void> abort(ExecutionService.Upload upload) {
        return Http.blocking(vertx, () -> {
            evidence.abortUpload(upload);
            return null;
        });
    }

    /**
     * Answers before the body was read to its end: the connection is closed after the answer,
     * since what is left of the body would otherwise be read as the next request.
     */
    private void refuseUnread(RoutingContext ctx, Throwable failure) {
        if (!ctx.request().isEnded()) {
            HttpServerRequest request = ctx.request();
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            ctx.response().endHandler(v -> lingerThenClose(request));
        }
        ctx.fail(failure);
    }

    /**
     * Closing a socket with unread bytes in it resets the connection, and a client still sending its
     * body can lose the answer with it. So what follows is read and dropped for a moment, as web
     * servers' lingering close does, and the connection closed when the body ends or that moment or
     * byte allowance is spent.
     */
    private void lingerThenClose(HttpServerRequest request) {
        HttpConnection connection = request.connection();
        long timer = vertx.setTimer(LINGER_MS, id -> connection.close());
        long[] dropped = {0};
        request.handler(chunk -> {
            dropped[0] += chunk.length();
            if (dropped[0] > LINGER_MAX_BYTES && vertx.cancelTimer(timer)) {
                connection.close();
            }
        });
        request.endHandler(v -> {
            if (vertx.cancelTimer(timer)) {
                connection.close();
            }
        });
        request.resume();
    }

    private ApiException tooLarge() {
        return new ApiException(413, "invalid_request", "the trace is larger than the limit of "
                + evidence.limits().maxBytes() + " bytes (serve --trace-max-mb)", List.of());
    }

    private static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        try {
            return length == null ? -1 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
