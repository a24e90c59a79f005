package org.execpolicy.pdp.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;

/**
 * May the caller run this operation? One instance guards one route, as the first handler the router
 * runs for it, before the body is read: the scope is the one openapi.yaml names for exactly that
 * operation ({@link OperationScopes}), so a request that reaches a handler has been authorised for
 * that handler's operation, whatever form its path took. {@link AuthMode} says whether runtime and
 * auditor scopes are waived; operator scopes never are.
 */
final class AccessControl implements Handler<RoutingContext> {
    private final String operationId;
    private final Optional<Scope> needed;
    private final AuthMode mode;

    AccessControl(String operationId, OperationScopes scopes, AuthMode mode) {
        this.operationId = operationId;
        this.needed = scopes.of(operationId);
        this.mode = mode;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (needed.isEmpty() || !mustHold(needed.get())) {
            ctx.next();
            return;
        }
        Scope scope = needed.get();
        Optional<AccessTokens.Holder> holder = Authentication.holder(ctx);
        if (holder.isEmpty()) {
            ctx.response().putHeader("www-authenticate", Authentication.CHALLENGE);
            Problems.send(ctx, 401, "invalid_request", "this call needs a bearer token with the '" + scope.wireName()
                    + "' scope (Authorization: Bearer <token>; tokens are in the data directory's "
                    + AccessTokens.FILE_NAME + ")", List.of());
        } else if (!holder.get().may(scope)) {
            ctx.response().putHeader("www-authenticate", Authentication.CHALLENGE
                    + ", error=\"insufficient_scope\", scope=\"" + scope.wireName() + "\"");
            Problems.send(ctx, 403, "invalid_request", "token '" + holder.get().name() + "' lacks the '"
                    + scope.wireName() + "' scope that " + operationId + " needs", List.of());
        } else {
            ctx.next();
        }
    }

    /** The token's name, recorded as the operator of a change; every operator route has checked it. */
    static String operatorName(RoutingContext ctx) {
        return Authentication.holder(ctx).orElseThrow(() ->
                new IllegalStateException("no token holder on " + ctx.normalizedPath())).name();
    }

    private boolean mustHold(Scope scope) {
        return scope == Scope.OPERATOR || mode == AuthMode.REQUIRED;
    }
}
