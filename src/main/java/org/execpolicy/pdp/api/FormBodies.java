package org.execpolicy.pdp.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;

/**
 * Refuses form-encoded and multipart bodies with 415 before anything reads them. Every body of
 * this API is JSON; the BodyHandler would otherwise hand such bodies to the HTTP form decoder,
 * which throws on some inputs (an urlencoded body of one tab: "Param 'name' must not be empty";
 * any form body on a GET: "Request method must be one of POST, PUT, PATCH or DELETE") and would
 * turn them into a 500, and would wait for multipart uploads nobody reads.
 */
final class FormBodies implements Handler<RoutingContext> {

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType != null && hasBody(request) && isForm(contentType)) {
            Problems.send(ctx, 415, "invalid_request",
                    "the request body must be application/json, was " + contentType, List.of());
        } else {
            ctx.next();
        }
    }

    private static boolean isForm(String contentType) {
        String type = contentType.trim().toLowerCase(Locale.ROOT);
        return type.startsWith("multipart/") || type.startsWith("application/x-www-form-urlencoded");
    }

    /** As the BodyHandler sees it: any content-length, even 0, or a transfer-encoding. */
    private static boolean hasBody(HttpServerRequest request) {
        return request.headers().contains(HttpHeaders.CONTENT_LENGTH)
                || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    }
}
