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
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;

/**
 * A {@link RunningPdp} (started the one way tests start a server) seen through raw HTTP/1.1 exchanges, for
 * tests of the transport itself: requests sent exactly as built, no token added, the whole
 * {@link HttpResponse} (headers such as retry-after) returned.
 */
final class ConfiguredPdp implements AutoCloseable {
    private final RunningPdp pdp;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private ConfiguredPdp(RunningPdp pdp) {
        this.pdp = pdp;
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
            Path data = RunningPdp.freshDataDir();
            if (!tokens.isEmpty()) {
                com.fasterxml.jackson.databind.node.ObjectNode file = org.execpolicy.pdp.json.Json.object();
                var list = file.putArray("tokens");
                tokens.forEach(token -> list.addObject().put("name", token).put("token", token)
                        .set("scopes", org.execpolicy.pdp.json.Json.array(List.of("runtime", "operator", "auditor"))));
                Files.writeString(data.resolve("tokens.json"), file.toString());
            }
            return new ConfiguredPdp(RunningPdp.start(
                    configure.apply(new PdpServer.Options("127.0.0.1", 0, data, Path.of("rules"), false))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path dataDir() {
        return pdp.dataDir();
    }

    int port() {
        return pdp.port();
    }

    String baseUrl() {
        return pdp.baseUrl();
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
        pdp.close();
    }
}
