package org.execpolicy.pdp.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.execpolicy.pdp.support.RunningPdp.Reply;

/** A real PDP like {@code RunningPdp}, started with options a test sets (rate limit, request timeout). */
final class ConfiguredPdp implements AutoCloseable {
    private final Path dataDir;
    private final PdpServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private ConfiguredPdp(Path dataDir, PdpServer server) {
        this.dataDir = dataDir;
        this.server = server;
    }

    static ConfiguredPdp start(UnaryOperator<PdpServer.Options> configure) {
        return start(configure, List.of());
    }

    /**
     * Starts with a token file of its own: each given string is a token (and its name) with
     * every scope, for tests that need many distinct clients.
     */
    static ConfiguredPdp start(UnaryOperator<PdpServer.Options> configure, List<String> tokens) {
        try {
            Path data = Files.createTempDirectory("pdp-test-");
            if (!tokens.isEmpty()) {
                com.fasterxml.jackson.databind.node.ObjectNode file = org.execpolicy.pdp.json.Json.object();
                var list = file.putArray("tokens");
                tokens.forEach(token -> list.addObject().put("name", token).put("token", token)
                        .set("scopes", org.execpolicy.pdp.json.Json.array(List.of("runtime", "operator", "auditor"))));
                Files.writeString(data.resolve("tokens.json"), file.toString());
            }
            return new ConfiguredPdp(data, PdpServer.start(
                    configure.apply(new PdpServer.Options("127.0.0.1", 0, data, Path.of("rules"), false))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path dataDir() {
        return dataDir;
    }

    int port() {
        return server.port();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    HttpRequest.Builder to(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl() + path));
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Reply get(String path) {
        return reply(send(to(path).GET()));
    }

    Reply post(String path, String json) {
        return reply(send(to(path).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))));
    }

    static Reply reply(HttpResponse<String> response) {
        return new Reply(response.statusCode(), response.headers().firstValue("content-type").orElse(""),
                response.body());
    }

    @Override
    public void close() {
        server.close();
    }
}
