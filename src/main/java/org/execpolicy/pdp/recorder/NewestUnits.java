package org.execpolicy.pdp.recorder;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The query behind {@code GET /v1/events}: the newest units matching the filters, at or below a
 * seq, newest first. It walks the index of its most selective filter backwards, with that column
 * first in the ORDER BY: H2 reads an index in order only when the ORDER BY names its columns from
 * the first, and otherwise sorts every matching row, so a page would cost the whole store. The
 * filters fix the leading column, so the order is still by seq.
 */
record NewestUnits(String sql, List<Object> fixed) {
    /** Stand-ins in {@link #fixed} for what each page binds anew. */
    private static final Object MAX_SEQ = new Object();
    private static final Object UNITS_WANTED = new Object();

    static NewestUnits of(EventQuery q) {
        List<String> types = UnitCodec.FIRED.equals(q.type())
                ? List.of(UnitCodec.FIRED, UnitCodec.DECISION) // firings are stored inside their decision's unit
                : Collections.singletonList(q.type());
        String lead = q.decisionId() != null ? "decision_id" : q.traceId() != null ? "trace_id"
                : q.type() != null ? "type" : null;
        String order = lead == null ? "seq DESC" : lead + " DESC, seq DESC";
        List<String> branches = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        for (String type : types) {
            StringBuilder branch = new StringBuilder("SELECT " + StoredUnit.COLUMNS + " FROM evidence WHERE 1 = 1");
            filter(branch, params, "type = ?", type);
            filter(branch, params, "trace_id = ?", q.traceId());
            filter(branch, params, "decision_id = ?", q.decisionId());
            filter(branch, params, "ts >= ?", utc(q.since()));
            filter(branch, params, "ts < ?", utc(q.until()));
            branches.add(branch.append(" AND seq <= ? ORDER BY ").append(order).append(" LIMIT ?").toString());
            params.add(MAX_SEQ);
            params.add(UNITS_WANTED);
        }
        if (branches.size() == 1) {
            return new NewestUnits(branches.get(0), List.copyOf(params));
        }
        // two types: each branch walks its own (type, seq) range; merged, newest first
        params.add(UNITS_WANTED);
        return new NewestUnits("SELECT * FROM ((" + String.join(") UNION ALL (", branches)
                + ")) newest ORDER BY seq DESC LIMIT ?", List.copyOf(params));
    }

    /** The parameters for the page of at most {@code units} units at or below {@code maxSeq}. */
    List<Object> params(long maxSeq, int units) {
        return fixed.stream().map(p -> p == MAX_SEQ ? (Object) maxSeq : p == UNITS_WANTED ? units : p).toList();
    }

    private static void filter(StringBuilder sql, List<Object> params, String condition, Object value) {
        if (value != null) {
            sql.append(" AND ").append(condition);
            params.add(value);
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
