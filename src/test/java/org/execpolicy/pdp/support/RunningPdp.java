package org.execpolicy.pdp.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.execpolicy.pdp.api.AccessTokens;
import org.execpolicy.pdp.api.PdpServer;
import org.execpolicy.pdp.execution.TraceLimits;
import org.execpolicy.pdp.json.Json;

/**
 * A real PDP for tests: the shipped rules in ./rules (or the rules directory given, e.g. a fixture
 * ruleset of {@link FixtureRules}), a real H2 file database in a fresh temporary directory, an HTTP
 * server on a free loopback port.
 */
public final class RunningPdp implements AutoCloseable {
    private final Path dataDir;
    private final Path tokensFile;
    private final PdpServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    private RunningPdp(Path dataDir, PdpServer server) {
        this(dataDir, dataDir.resolve("tokens.json"), server);
    }

    private RunningPdp(Path dataDir, Path tokensFile, PdpServer server) {
        this.dataDir = dataDir;
        this.tokensFile = tokensFile;
        this.server = server;
    }

    /** Starts with the given options (e.g. a node of a shared PostgreSQL store, see {@link PdpServer.Options#withStore}). */
    public static RunningPdp start(PdpServer.Options options) {
        Path tokens = options.tokensFile() != null ? options.tokensFile() : options.dataDir().resolve("tokens.json");
        return new RunningPdp(options.dataDir(), tokens, PdpServer.start(options));
    }

    public static RunningPdp start() {
        return start(freshDataDir());
    }

    /** Starts on the given data directory, e.g. again on the same one after a restart. */
    public static RunningPdp start(Path dataDir) {
        return start(dataDir, Path.of("rules"), false);
    }

    /** Starts on its own rules directory, e.g. a copy a test edits; watching it or not. */
    public static RunningPdp start(Path dataDir, Path rulesDir, boolean watchRules) {
        PdpServer server = PdpServer.start(new PdpServer.Options("127.0.0.1", 0, dataDir, rulesDir, watchRules));
        return new RunningPdp(dataDir, server);
    }

    /** Starts in a fresh data directory with the shipped rules, telling time by {@code clock}. */
    public static RunningPdp start(Clock clock) {
        return start(freshDataDir(), clock, TraceLimits.defaults());
    }

    /**
     * Starts on the given data directory (fresh, or again after a restart) telling time by
     * {@code clock}, with the given trace limits (size, deadline, how often the deadline is checked).
     */
    public static RunningPdp start(Path dataDir, Clock clock, TraceLimits traces) {
        return start(dataDir, Path.of("rules"), clock, traces);
    }

    /** As {@link #start(Path, Clock, TraceLimits)}, on its own rules directory (e.g. a fixture ruleset), not watched. */
    public static RunningPdp start(Path dataDir, Path rulesDir, Clock clock, TraceLimits traces) {
        return new RunningPdp(dataDir, PdpServer.start(
                new PdpServer.Options("127.0.0.1", 0, dataDir, rulesDir, false), clock, traces));
    }

    /** A new empty temporary directory for a server's data. */
    public static Path freshDataDir() {
        try {
            return Files.createTempDirectory("pdp-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    public int port() {
        return server.port();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** The secret of one of the tokens the server wrote on first start: "operator", "runtime" or "auditor". */
    public String token(String name) {
        return AccessTokens.secretIn(tokensFile, name);
    }

    public Reply get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET());
    }

    /** POSTs as the operator, as the tests set up the registry; {@link #send} sends exactly what it is given. */
    public Reply post(String path, String json) {
        return post(path, json, token("operator"));
    }

    /** POSTs with the given bearer token, or none when it is null (a runtime on loopback needs none). */
    public Reply post(String path, String json, String bearerToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("content-type", "application/json");
        if (bearerToken != null) {
            request.header("authorization", "Bearer " + bearerToken);
        }
        return send(request.POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** PUTs as the operator. */
    public Reply put(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + token("operator"))
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().firstValue("content-type").orElse(""),
                    response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }

    /** An HTTP answer: status, content type and body (parsed on demand). */
    public record Reply(int status, String contentType, String body) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }
}
