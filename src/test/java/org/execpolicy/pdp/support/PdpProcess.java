package org.execpolicy.pdp.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real `java -jar target/pdp.jar serve` as a child process, as an operator would start it. */
public final class PdpProcess implements AutoCloseable {
    /** The warm-up of a test process unless its flags say otherwise. */
    private static final long WARMUP_MS = 1000;
    private static final Pattern LISTENING = Pattern.compile("^listening on http://127\\.0\\.0\\.1:(\\d+)$");

    private final Process process;
    private final int port;

    private PdpProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts on port 0 (with {@code moreFlags} after the usual ones) and waits for the `listening on` line. */
    public static PdpProcess start(Path dataDir, String... moreFlags) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-jar",
                "target/pdp.jar", "serve", "--port", "0", "--data", dataDir.toString(), "--rules", "rules"));
        if (!List.of(moreFlags).contains("--warmup-ms")) {
            // the whole path is rehearsed, scratch store included, but not until the JIT settles (up to 20 s)
            command.addAll(List.of("--warmup-ms", String.valueOf(WARMUP_MS)));
        }
        command.addAll(List.of(moreFlags)); // e.g. --database URL --node-id ID
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.matches()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            port.completeExceptionally(new IllegalStateException("the PDP exited before listening"));
        }, "pdp-process-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new PdpProcess(process, port.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("the PDP did not start: " + e.getMessage(), e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the PDP stops cleanly after the recorder has flushed. */
    public int terminate() throws InterruptedException {
        process.destroy();
        process.waitFor(60, TimeUnit.SECONDS);
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
