package org.execpolicy.pdp.cli;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.concurrent.Callable;
import org.execpolicy.pdp.recorder.ChainReport;
import org.execpolicy.pdp.recorder.Database;
import org.execpolicy.pdp.recorder.FlightRecorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `recorder verify` and `recorder export`: the evidence, read offline (the PDP must not be running on DIR). */
@Command(name = "recorder", description = "Check or export the Flight Recorder of a data directory.",
        subcommands = {RecorderCommand.Verify.class, RecorderCommand.Export.class})
final class RecorderCommand {

    @Command(name = "verify", description = "Walk every hash chain from its start; exit 0 when intact, 1 at the first "
            + "broken link. Progress on stderr.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--data", description = "Data directory (default: ${DEFAULT-VALUE}).")
        Path data = Path.of("data");

        @Option(names = "--database", paramLabel = "URL",
                description = "A shared PostgreSQL store (jdbc:postgresql://HOST:PORT/DB?user=U; password from "
                        + "PDP_DATABASE_PASSWORD) instead of the H2 store in --data.")
        String database;

        @Override
        public Integer call() {
            if (database == null && noDataDirectory(data)) {
                return 2;
            }
            // the whole store, every record, however large: say how far it has come, at most once a second
            long[] lastSaid = {System.nanoTime()};
            ChainReport report = withRecorder(data, database, recorder -> recorder.verify((node, checked) -> {
                if (System.nanoTime() - lastSaid[0] >= 1_000_000_000L) {
                    System.err.println(node + ": " + checked + " records verified");
                    lastSaid[0] = System.nanoTime();
                }
            }));
            System.out.println(report.toJson().toPrettyString());
            return report.intact() ? 0 : 1;
        }
    }

    @Command(name = "export", description = "Write records as JSON Lines in chain order, verifiable with SHA-256 alone.")
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

        @Override
        public Integer call() throws Exception {
            if (database == null && noDataDirectory(data)) {
                return 2;
            }
            Instant from = since == null ? null : since.toInstant();
            Instant to = until == null ? null : until.toInstant();
            try (Writer writer = out == null
                    ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
                    : Files.newBufferedWriter(out)) {
                long written = withRecorder(data, database, recorder -> recorder.export(from, to, writer));
                System.err.println(written + " records exported");
            }
            return 0;
        }
    }

    /** Says so on stderr: the commands read a store, they never create one. */
    private static boolean noDataDirectory(Path data) {
        if (Files.isDirectory(data)) {
            return false;
        }
        System.err.println("no data directory " + data);
        return true;
    }

    private static <T> T withRecorder(Path data, String databaseUrl,
                                      java.util.function.Function<FlightRecorder, T> work) {
        try (Database db = OfflineStore.open(data, databaseUrl); FlightRecorder recorder = new FlightRecorder(db)) {
            return work.apply(recorder);
        }
    }
}
