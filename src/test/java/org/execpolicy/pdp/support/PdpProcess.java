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

/**
 * The real `java -jar target/pdp.jar serve` as a child process, as an operator would start it (with the
 * JIT flags of {@link ChildJvm}).
 */
public final class PdpProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("^listening on http://127\\.0\\.0\\.1:(\\d+)$");

    private final Process process;
    private final int port;

    private PdpProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * As {@link #start}, without the start's warm-up ({@code --warmup-ms 0}): for tests about what the
     * server keeps and answers, not how fast its first answers are. The warm-up keeps every core busy
     * until the JIT compiler settles (up to 40 s), which on a 2-core machine is time every other test waits for; the
     * README's own {@code serve} (ReadmeCommandsIT) keeps the default, so the warm-up still runs.
     */
    public static PdpProcess startWithoutWarmup(Path dataDir, String... moreFlags)
            throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>(List.of("--warmup-ms", "0"));
        flags.addAll(List.of(moreFlags));
        return start(dataDir, flags.toArray(String[]::new));
    }

    /** Starts on port 0 (with {@code moreFlags} after the usual ones) and waits for the `listening on` line. */
    public static PdpProcess start(Path dataDir, String... moreFlags) throws IOException, InterruptedException {
        List<String> command = ChildJvm.java("-jar",
                "target/pdp.jar", "serve", "--port", "0", "--data", dataDir.toString(), "--rules", "rules");
        command.addAll(List.of(moreFlags)); // e.g. --database URL --node-id ID
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        java.util.Deque<String> last = new java.util.concurrent.ConcurrentLinkedDeque<>(); // why it did not start
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (!port.isDone()) {
                        last.addLast(line);
                        if (last.size() > 40) {
                            last.removeFirst();
                        }
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.matches()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            port.completeExceptionally(new IllegalStateException("the PDP exited before listening; its last lines:\n"
                    + String.join("\n", last)));
        }, "pdp-process-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new PdpProcess(process, port.get(120, TimeUnit.SECONDS)); // the warm-up alone may take 40 s
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
