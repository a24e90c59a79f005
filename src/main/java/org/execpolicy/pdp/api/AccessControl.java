package org.execpolicy.pdp.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import java.util.List;
import java.util.Optional;

/**
 * Checks the bearer token before anything reads the body, so a refused request changes
 * nothing. The scope an operation needs is the one openapi.yaml names in its
 * {@code security} ({@link OperationScopes}); {@link AuthMode} says whether runtime and auditor scopes are waived.
 * A token that is sent is always checked, even where none is needed.
 */
final class AccessControl implements Handler<RoutingContext> {
    private static final String HOLDER = "pdp.token-holder";
    private static final String CHALLENGE = "Bearer realm=\"pdp\"";

    private final OpenAPIContract contract;
    private final OperationScopes scopes;
    private final AccessTokens tokens;
    private final AuthMode mode;

    AccessControl(OpenAPIContract contract, OperationScopes scopes, AccessTokens tokens, AuthMode mode) {
        this.contract = contract;
        this.scopes = scopes;
        this.tokens = tokens;
        this.mode = mode;
    }

    @Override
    public void handle(RoutingContext ctx) {
        // the path the router routes by (dot segments, "//" and %-escapes resolved), not the raw one:
        // a raw "/v1/./events" would match no operation here and still reach the events handler
        Operation operation = contract.findOperation(ctx.normalizedPath(), ctx.request().method());
        Optional<Scope> needed = operation == null ? Optional.empty() : scopes.of(operation.getOperationId());
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null) {
            Optional<AccessTokens.Holder> holder = bearer(header).flatMap(tokens::holderOf);
            if (holder.isEmpty()) {
                refuse(ctx, 401, CHALLENGE + ", error=\"invalid_token\"",
                        "the bearer token is not one of the server's tokens (see " + AccessTokens.FILE_NAME + ")");
                return;
            }
            if (needed.isPresent() && !holder.get().may(needed.get()) && mustHold(needed.get())) {
                refuse(ctx, 403, CHALLENGE + ", error=\"insufficient_scope\", scope=\"" + needed.get().wireName() + "\"",
                        "token '" + holder.get().name() + "' lacks the '" + needed.get().wireName()
                                + "' scope that " + operation.getOperationId() + " needs");
                return;
            }
            ctx.put(HOLDER, holder.get());
        } else if (needed.isPresent() && mustHold(needed.get())) {
            refuse(ctx, 401, CHALLENGE, "this call needs a bearer token with the '" + needed.get().wireName()
                    + "' scope (Authorization: Bearer <token>; tokens are in the data directory's "
                    + AccessTokens.FILE_NAME + ")");
            return;
        }
        ctx.next();
    }

    /** The token's name, recorded as the operator of a change; present on every operator route. */
    static String operatorName(RoutingContext ctx) {
        AccessTokens.Holder holder = ctx.get(HOLDER);
        if (holder == null) {
            throw new IllegalStateException("no token holder on " + ctx.normalizedPath());
        }
        return holder.name();
    }

    private boolean mustHold(Scope needed) {
        return needed == Scope.OPERATOR || mode == AuthMode.REQUIRED;
    }

    private static Optional<String> bearer(String header) {
        int space = header.indexOf(' ');
        if (space < 0 || !header.substring(0, space).equalsIgnoreCase("bearer")) {
            return Optional.empty();
        }
        String token = header.substring(space + 1).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    private static void refuse(RoutingContext ctx, int status, String challenge, String detail) {
        ctx.response().putHeader("www-authenticate", challenge);
        Problems.send(ctx, status, "invalid_request", detail, List.of());
    }
}
