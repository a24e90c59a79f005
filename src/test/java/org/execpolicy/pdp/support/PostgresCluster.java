package org.execpolicy.pdp.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL 15 cluster of Debian's binaries, for tests: initdb into a temporary
 * directory, a free loopback port, the unix socket in that directory, trust authentication, one
 * database "pdp"; {@link #close()} stops it and removes the directory. initdb and the server refuse
 * to run as root, so when the tests run as root they run as the {@code postgres} user, which then
 * owns the directory.
 */
public final class PostgresCluster implements AutoCloseable {
    public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final Path root;
    private final Path data;
    private final int port;

    private PostgresCluster(Path root, int port) {
        this.root = root;
        this.data = root.resolve("data");
        this.port = port;
    }

    /** True when the PostgreSQL 15 binaries are installed (.ci/run installs them). */
    public static boolean installed() {
        return Files.isExecutable(BIN.resolve("initdb"));
    }

    public static PostgresCluster start() {
        try {
            Path root = Files.createTempDirectory("pdp-pg-");
            PostgresCluster cluster = new PostgresCluster(root, freePort());
            cluster.initialise();
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The URL a node is given with --database. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/pdp?user=postgres";
    }

    public int port() {
        return port;
    }

    private void initialise() throws IOException {
        if (asRoot()) {
            UserPrincipalLookupService users = root.getFileSystem().getUserPrincipalLookupService();
            PosixFileAttributeView view = Files.getFileAttributeView(root, PosixFileAttributeView.class);
            UserPrincipal postgres = users.lookupPrincipalByName("postgres");
            GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
            view.setOwner(postgres);
            view.setGroup(group);
        }
        // --no-sync and fsync=off: a test cluster need not survive a power cut, and the machine is shared
        run(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync");
        startServer();
        run(BIN.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres", "pdp");
    }

    /** Starts the (stopped) server again on the same port and data: the outage is over. */
    public void startServer() {
        run(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", root.resolve("server.log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -k " + root + " -c listen_addresses=127.0.0.1 -c fsync=off",
                "start");
    }

    /** Stops the server at once (connections are cut), leaving its data for {@link #startServer()}. */
    public void stopServer() {
        run(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
    }

    /** Runs SQL through psql as the superuser, e.g. to tamper with a store as an attacker would. */
    public String psql(String sql) {
        return run(BIN.resolve("psql").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres",
                "-d", "pdp", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql);
    }

    @Override
    public void close() {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                stopServer();
            }
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary directory is not a test failure
            }
        }
    }

    private String run(String... command) {
        List<String> line = new ArrayList<>();
        if (asRoot()) {
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        line.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + line);
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(line + " exited " + process.exitValue() + ":\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
