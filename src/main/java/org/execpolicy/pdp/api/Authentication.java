package org.execpolicy.pdp.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import org.execpolicy.pdp.json.FieldError;

/**
 * Who is calling: resolves the bearer token, if one is sent, before any route runs. A token that
 * is sent is always checked, even on an open route; whether the caller may run the operation is
 * {@link AccessControl}'s business, on the route the router chose.
 *
 * <p>Guessing is slowed down: failed authentications are counted per client address (not per
 * guessed token, which would give every guess a fresh allowance) and answered 429 beyond
 * {@link #FAILED_PER_SECOND} a second. A second {@code Authorization} header is refused: servers and
 * proxies disagree on which of two wins.
 */
final class Authentication implements Handler<RoutingContext> {
    /** Failed authentications allowed per client address per second (and as a burst). */
    static final int FAILED_PER_SECOND = 20;
    static final String CHALLENGE = "Bearer realm=\"pdp\"";
    private static final String HOLDER = "pdp.token-holder";

    private final AccessTokens tokens;
    private final RateLimiter failures;

    Authentication(AccessTokens tokens, RateLimiter failures) {
        this.tokens = tokens;
        this.failures = failures;
    }

    @Override
    public void handle(RoutingContext ctx) {
        List<String> headers = ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION);
        if (headers.isEmpty()) {
            ctx.next();
            return;
        }
        if (headers.size() > 1) {
            Problems.send(ctx, 400, "invalid_request", "send one Authorization header, not " + headers.size(),
                    List.of(new FieldError("/headers/authorization", "repeated")));
            return;
        }
        Optional<AccessTokens.Holder> holder = bearer(headers.get(0)).flatMap(tokens::holderOf);
        if (holder.isPresent()) {
            ctx.put(HOLDER, holder.get());
            ctx.next();
            return;
        }
        long waitNanos = failures.acquire(RateLimiter.addressKey(ctx));
        if (waitNanos > 0) {
            RateLimiter.refuse(ctx, waitNanos, "more than " + FAILED_PER_SECOND
                    + " failed authentications per second from this address");
            return;
        }
        ctx.response().putHeader("www-authenticate", CHALLENGE + ", error=\"invalid_token\"");
        Problems.send(ctx, 401, "invalid_request",
                "the bearer token is not one of the server's tokens (see " + AccessTokens.FILE_NAME + ")", List.of());
    }

    /** The caller's token, when one was sent and is valid. */
    static Optional<AccessTokens.Holder> holder(RoutingContext ctx) {
        return Optional.ofNullable(ctx.get(HOLDER));
    }

    private static Optional<String> bearer(String header) {
        int space = header.indexOf(' ');
        if (space < 0 || !header.substring(0, space).equalsIgnoreCase("bearer")) {
            return Optional.empty();
        }
        String token = header.substring(space + 1).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
}
