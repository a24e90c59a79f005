package org.execpolicy.pdp.api;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A connection must start a request (its whole request head) within the deadline of being opened or
 * of its last answer, else it is closed. Without it a client that sends half a header, or opens
 * connections and sends nothing (slowloris), holds a connection for ever: the request timeout only
 * starts once a request has been parsed.
 */
final class ConnectionDeadlines {
    /** The shortest deadline: a request timeout of a few milliseconds must not cut a request head in flight. */
    static final long MIN_MS = 1000;
    private final Vertx vertx;
    private final long millis;
    private final Map<HttpConnection, Long> timers = new ConcurrentHashMap<>();

    ConnectionDeadlines(Vertx vertx, long millis) {
        this.vertx = vertx;
        this.millis = millis;
    }

    /** For {@code HttpServer.connectionHandler}: the clock starts when the connection opens. */
    void opened(HttpConnection connection) {
        connection.closeHandler(v -> cancel(connection));
        arm(connection);
    }

    /** Wraps the server's request handler: a request head has arrived, so the clock stops. */
    Handler<HttpServerRequest> around(Handler<HttpServerRequest> requests) {
        return request -> {
            cancel(request.connection());
            requests.handle(request);
        };
    }

    /** A root route handler: once the request is answered, the connection's clock starts again. */
    void restartWhenAnswered(RoutingContext ctx) {
        HttpConnection connection = ctx.request().connection();
        // a connection closed meanwhile gets a timer that closes nothing and then forgets it
        ctx.addEndHandler(v -> arm(connection));
        ctx.next();
    }

    private void arm(HttpConnection connection) {
        long timer = vertx.setTimer(millis, id -> {
            if (timers.remove(connection, id)) {
                connection.close();
            }
        });
        Long previous = timers.put(connection, timer);
        if (previous != null) {
            vertx.cancelTimer(previous);
        }
    }

    private void cancel(HttpConnection connection) {
        Long timer = timers.remove(connection);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }
}
