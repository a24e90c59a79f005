package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Probes, the ruleset the server runs, and the API description it serves. */
class HealthApiTest {
    static RunningPdp pdp;

    @BeforeAll
    static void start() {
        pdp = RunningPdp.start();
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    /** The *.drl files directly in ./rules, in file-name order, as RunningPdp starts the server with them. */
    static List<Path> ruleFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("rules"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".drl")).filter(Files::isRegularFile)
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        }
    }

    static String sha256(byte[]... parts) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (byte[] part : parts) {
            digest.update(part);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static JsonNode ok(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/json");
        return reply.json();
    }

    @Test
    void live_answers_200() {
        JsonNode live = ok(pdp.get("/health/live"));

        assertThat(live.get("status").asText()).isEqualTo("live");
    }

    @Test
    void ready_answers_200_with_the_ruleset_it_runs() {
        JsonNode ready = ok(pdp.get("/health/ready"));
        JsonNode rules = ok(pdp.get("/v1/rules"));

        assertThat(ready.get("status").asText()).isEqualTo("ready");
        assertThat(ready.get("ruleset_digest").asText()).isEqualTo(rules.get("digest").asText());
    }

    @Test
    void the_ruleset_digest_is_the_sha256_of_the_drl_files_in_name_order() throws Exception {
        List<Path> files = ruleFiles();
        byte[][] contents = new byte[files.size()][];
        for (int i = 0; i < files.size(); i++) {
            contents[i] = Files.readAllBytes(files.get(i));
        }

        JsonNode rules = ok(pdp.get("/v1/rules"));

        assertThat(files).isNotEmpty();
        assertThat(rules.get("digest").asText()).matches("[0-9a-f]{64}").isEqualTo(sha256(contents));
        JsonNode listed = rules.get("files");
        assertThat(listed.size()).isEqualTo(files.size());
        for (int i = 0; i < files.size(); i++) {
            assertThat(listed.get(i).get("name").asText()).isEqualTo(files.get(i).getFileName().toString());
            assertThat(listed.get(i).get("sha256").asText()).isEqualTo(sha256(contents[i]));
        }
        Instant loadedAt = Instant.parse(rules.get("loaded_at").asText());
        assertThat(loadedAt).isBetween(Instant.now().minus(Duration.ofHours(1)), Instant.now());
    }

    @Test
    void decisions_name_the_ruleset_digest() {
        JsonNode answer = Steps.decide(pdp, Bodies.decision("worker"));

        assertThat(answer.get("ruleset").get("digest").asText()).isEqualTo(ok(pdp.get("/v1/rules")).get("digest").asText());
    }

    @Test
    void the_openapi_description_is_served_as_yaml() throws Exception {
        Reply reply = pdp.get("/openapi.yaml");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.contentType()).contains("yaml");
        String shipped = Files.readString(Path.of("src/main/resources/openapi.yaml"), StandardCharsets.UTF_8);
        assertThat(reply.body()).isEqualTo(shipped);
        JsonNode yaml = new ObjectMapper(new YAMLFactory()).readTree(reply.body());
        assertThat(yaml.get("openapi").asText()).startsWith("3.");
        assertThat(yaml.get("paths").has("/v1/decisions")).isTrue();
        assertThat(yaml.get("paths").get("/v1/decisions").has("post")).isTrue();
    }
}
