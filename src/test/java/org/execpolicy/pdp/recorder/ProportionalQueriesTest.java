package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.recorder.Records.T0;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queries behind the chain head, the events pages and verification's list of nodes read only
 * the rows they return, whatever the store holds (issue 11, "work in proportion"): H2's own row
 * count of each query (EXPLAIN ANALYZE's scanCount) over a store of 600 decisions on two traces.
 * A query that made H2 sort every matching row, or read every record for a DISTINCT, reads hundreds.
 */
class ProportionalQueriesTest {
    private static final int DECISIONS = 600;
    private static final int PAGE = 10;
    private static final Pattern SCAN_COUNT = Pattern.compile("scanCount: (\\d+)");

    @TempDir
    Path dataDir;
    private Database db;
    private FlightRecorder recorder;

    @BeforeEach
    void fill() {
        db = Database.open(dataDir);
        recorder = new FlightRecorder(db, new RecordSchemas());
        List<CompletableFuture<Void>> appends = new ArrayList<>();
        for (int i = 0; i < DECISIONS; i++) {
            appends.add(recorder.append(List.of(Records.execPolicy("d-" + i, "trace-" + (i % 2), T0.plusSeconds(i)))));
        }
        appends.forEach(CompletableFuture::join);
    }

    @AfterEach
    void close() {
        recorder.close();
        db.close();
    }

    @Test
    void the_chain_head_is_one_row_read() throws SQLException {
        assertThat(rowsRead(EventReader.CHAIN_HEAD, List.of(recorder.nodeId()))).containsOnly(1L);
    }

    @Test
    void listing_the_nodes_reads_one_row_per_probe() throws SQLException {
        String next = ChainVerifier.nextNode("evidence", false);
        assertThat(rowsRead(next, List.of(""))).containsOnly(1L);
        assertThat(rowsRead(next, List.of(recorder.nodeId() + '\0'))).as("past the only node's 600 records")
                .allSatisfy(rows -> assertThat(rows).isLessThanOrEqualTo(1));
        assertThat(recorder.verify().chains()).singleElement()
                .satisfies(chain -> assertThat(chain.nodeId()).isEqualTo(recorder.nodeId()));
    }

    @Test
    void a_page_of_events_reads_about_a_page_of_rows_for_every_filter() throws SQLException {
        List<EventQuery> queries = List.of(
                query(null, null, null, null),
                query("llm_exec_policy", null, null, null),
                query("policy_rule_fired", null, null, null),
                query(null, "trace-1", null, null),
                query("llm_exec_policy", "trace-0", null, null),
                query(null, null, "d-7", null),
                query("llm_exec_policy", null, null, T0.plusSeconds(100)));
        for (EventQuery q : queries) {
            NewestUnits newest = NewestUnits.of(q);
            assertThat(rowsRead(newest.sql(), newest.params(Long.MAX_VALUE, PAGE + 1)))
                    // a page wants PAGE + 1 units; the firings' query merges two walks of that many
                    .as("rows read for %s", q).allSatisfy(rows -> assertThat(rows).isLessThanOrEqualTo(2 * (PAGE + 1)));
        }
    }

    @Test
    void the_events_query_still_answers_newest_first() {
        EventPage page = recorder.events(query(null, "trace-1", null, null));
        assertThat(page.items()).extracting(r -> r.get("decision_id").asText())
                .containsExactly("d-599", "d-597", "d-595", "d-593", "d-591", "d-589", "d-587", "d-585", "d-583",
                        "d-581");
    }

    @Test
    void a_trace_deadline_check_reads_the_records_of_its_window_not_the_rest_of_the_store() throws SQLException {
        // the 600 decisions are dated T0, T0 + 1 s, ... T0 + 599 s
        // where a window starts and ends: one step each through the index on ts
        assertThat(rowsRead(TraceDeadlineScan.LAST_SEQ_BEFORE, List.of(utc(T0.plusSeconds(300)))))
                .allSatisfy(rows -> assertThat(rows).isLessThanOrEqualTo(2));
        assertThat(rowsRead(TraceDeadlineScan.FIRST_SEQ_FROM, List.of(utc(T0.plusSeconds(300)))))
                .allSatisfy(rows -> assertThat(rows).isLessThanOrEqualTo(2));
        // ten seconds of decisions and a minute either side (STORE_LAG); H2 counts a few rows past a range
        assertThat(deadlineScanRowsRead(T0.plusSeconds(300), T0.plusSeconds(310)))
                .allSatisfy(rows -> assertThat(rows).isLessThanOrEqualTo(10 + 2 * 60 + 5));
        // while the first deadline is not yet due, the window is older than every record: it walked all 600
        assertThat(deadlineScanRowsRead(T0.minusSeconds(1200), T0.minusSeconds(900)))
                .allSatisfy(rows -> assertThat(rows).isLessThanOrEqualTo(2));
    }

    /** H2's scanCount of each table access of the deadline scan's query for the window [since, until), bound as it runs. */
    private List<Long> deadlineScanRowsRead(Instant since, Instant until) throws SQLException {
        return rowsRead(TraceDeadlineScan.SQL, (ps, c) -> TraceDeadlineScan.bind(ps, c, since, until, 0, 500));
    }

    private static OffsetDateTime utc(Instant at) {
        return at.atOffset(ZoneOffset.UTC);
    }

    private static EventQuery query(String type, String traceId, String decisionId, Instant since) {
        return new EventQuery(type, traceId, decisionId, since, null, PAGE, null);
    }

    /** H2's scanCount of each table access of {@code sql}. */
    private List<Long> rowsRead(String sql, List<Object> params) throws SQLException {
        return rowsRead(sql, (ps, c) -> {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
        });
    }

    /** Binds a statement's parameters, on the connection it runs on. */
    private interface Binder {
        void bind(PreparedStatement ps, Connection c) throws SQLException;
    }

    /** H2's scanCount of each table access of {@code sql}, its parameters bound by {@code binder}. */
    private List<Long> rowsRead(String sql, Binder binder) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("EXPLAIN ANALYZE " + sql)) {
            binder.bind(ps, c);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Matcher m = SCAN_COUNT.matcher(rs.getString(1));
                List<Long> counts = new ArrayList<>();
                while (m.find()) {
                    counts.add(Long.parseLong(m.group(1)));
                }
                assertThat(counts).as("H2 reports a scanCount for %s", sql).isNotEmpty();
                return counts;
            }
        }
    }
}
