package org.execpolicy.pdp.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.List;

/**
 * Only the paths of openapi.yaml are served under {@code /v1/} and {@code /health/}: anything else is
 * 404 (405 with {@code Allow} for a known path and another method) before any handler runs. The
 * router on its own is lenient, e.g. it serves {@code /v1/events/} as {@code /v1/events}; the contract
 * is not, and clients, proxies and the access rules must all see the same set of paths.
 */
final class ContractPaths implements Handler<RoutingContext> {
    private final OpenAPIContract contract;
    private final AllowedMethods allowed;

    ContractPaths(OpenAPIContract contract) {
        this.contract = contract;
        this.allowed = new AllowedMethods(contract);
    }

    @Override
    public void handle(RoutingContext ctx) {
        // the path the router routes by: dot segments, "//" and %-escapes of unreserved characters resolved
        String path = ctx.normalizedPath();
        if (!(path.startsWith("/v1/") || path.startsWith("/health/") || path.equals("/v1") || path.equals("/health"))) {
            ctx.next();
            return;
        }
        // the contract's path finder splits on "/" and drops a trailing empty segment, so it would
        // find /v1/waivers/{waiver_id} for "/v1/waivers/wv-1/": no path of the contract ends in "/"
        boolean trailingSlash = path.endsWith("/");
        if (!trailingSlash && contract.findOperation(path, ctx.request().method()) != null) {
            ctx.next();
            return;
        }
        String allow = trailingSlash ? null : allowed.of(path);
        if (allow == null) {
            Problems.send(ctx, 404, "invalid_request", "no operation at " + path + " (see /openapi.yaml)", List.of());
        } else {
            ctx.response().putHeader("allow", allow);
            Problems.send(ctx, 405, "invalid_request", ctx.request().method().name() + " is not allowed on " + path
                    + "; allowed: " + allow, List.of());
        }
    }
}
