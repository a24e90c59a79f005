package org.execpolicy.pdp.cli;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.concurrent.Callable;
import org.execpolicy.pdp.recorder.ChainReport;
import org.execpolicy.pdp.recorder.Database;
import org.execpolicy.pdp.recorder.EvidenceStore;
import org.execpolicy.pdp.recorder.FlightRecorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `recorder verify` and `recorder export`: the evidence, read offline (the PDP must not be running on DIR). */
@Command(name = "recorder", mixinStandardHelpOptions = true, description = "Check or export the Flight Recorder of a data directory.",
        subcommands = {RecorderCommand.Verify.class, RecorderCommand.Export.class})
final class RecorderCommand {

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Walk every hash chain from its start; exit 0 when intact, 1 at the first "
            + "broken link. Progress on stderr.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--data", description = "Data directory (default: ${DEFAULT-VALUE}).")
        Path data = Path.of("data");

        @Option(names = "--database", paramLabel = "URL",
                description = "A shared PostgreSQL store (jdbc:postgresql://HOST:PORT/DB?user=U; password from "
                        + "PDP_DATABASE_PASSWORD) instead of the H2 store in --data.")
        String database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            if (database == null && noDataDirectory(data, err)) {
                return 2;
            }
            // the whole store, every record, however large: say how far it has come, at most once a second
            long[] lastSaid = {System.nanoTime()};
            ChainReport report = withRecorder(data, database, recorder -> recorder.verify((node, checked) -> {
                if (System.nanoTime() - lastSaid[0] >= 1_000_000_000L) {
                    err.println(node + ": " + checked + " records verified");
                    lastSaid[0] = System.nanoTime();
                }
            }), err);
            if (report == null) {
                return 2;
            }
            spec.commandLine().getOut().println(report.toJson().toPrettyString());
            return report.intact() ? 0 : 1;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Write records as JSON Lines in chain order, verifiable with SHA-256 alone.")
    static final class Export implements Callable<Integer> {
        @Option(names = "--data", description = "Data directory (default: ${DEFAULT-VALUE}).")
        Path data = Path.of("data");

        @Option(names = "--database", paramLabel = "URL",
                description = "A shared PostgreSQL store (jdbc:postgresql://HOST:PORT/DB?user=U; password from "
                        + "PDP_DATABASE_PASSWORD) instead of the H2 store in --data.")
        String database;

        // picocli parses these: a malformed time is a usage error (exit 2) naming the option
        @Option(names = "--since", description = "RFC 3339; records at or after it.")
        OffsetDateTime since;

        @Option(names = "--until", description = "RFC 3339; records before it.")
        OffsetDateTime until;

        @Option(names = "--out", description = "File to write; default standard output.")
        Path out;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            if (database == null && noDataDirectory(data, err)) {
                return 2;
            }
            Instant from = since == null ? null : since.toInstant();
            Instant to = until == null ? null : until.toInstant();
            // the store is opened before the output file: a store in use leaves no empty file behind
            Integer status = withRecorder(data, database, recorder -> {
                try (Writer writer = out == null
                        ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
                        : Files.newBufferedWriter(out)) {
                    long written = recorder.export(from, to, writer);
                    err.println(written + " records exported");
                    return 0;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, err);
            return status == null ? 2 : status;
        }
    }

    /** Says so on stderr: the commands read a store, they never create one. */
    private static boolean noDataDirectory(Path data, PrintWriter err) {
        if (Files.isDirectory(data)) {
            return false;
        }
        err.println("no data directory " + data);
        return true;
    }

    /**
     * Runs {@code work} on the store (H2 in {@code data}, or the shared PostgreSQL at {@code databaseUrl});
     * null (with one line on stderr, exit 2 for the caller) when a running PDP holds the H2 store: its
     * embedded file is open to one process at a time.
     */
    private static <T> T withRecorder(Path data, String databaseUrl,
                                      java.util.function.Function<EvidenceStore, T> work, PrintWriter err) {
        Database db;
        try {
            db = OfflineStore.open(data, databaseUrl);
        } catch (RuntimeException e) {
            if (!InUse.isCause(e)) {
                throw e;
            }
            err.println("the store in " + data + " is in use by a running PDP; stop it first, or ask the"
                    + " running one (GET /v1/recorder/verify, GET /v1/events)");
            return null;
        }
        try (db; EvidenceStore recorder = new FlightRecorder(db)) {
            return work.apply(recorder);
        }
    }

    /** H2's "database may be already in use" (error 90020), however deep Flyway has wrapped it. */
    static final class InUse {
        private static final int DATABASE_ALREADY_OPEN = 90020;

        static boolean isCause(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.sql.SQLException sql && sql.getErrorCode() == DATABASE_ALREADY_OPEN) {
                    return true;
                }
            }
            return false;
        }
    }
}
