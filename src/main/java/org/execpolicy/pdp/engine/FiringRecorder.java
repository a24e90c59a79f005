package org.execpolicy.pdp.engine;

import java.util.ArrayList;
import java.util.List;
import org.kie.api.definition.type.Description;
import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.kie.api.event.rule.MatchCancelledEvent;
import org.kie.api.runtime.rule.Match;

/**
 * Collects every firing of one session in order, and the matches that were
 * cancelled before they fired (for explain), each with a bounded summary of
 * the matched facts.
 */
final class FiringRecorder extends DefaultAgendaEventListener {
    static final int MAX_FACTS = 16;
    static final int MAX_FACT_CHARS = 512;
    static final int MAX_CANCELLED = 64;

    private final List<Firing> firings = new ArrayList<>();
    private final List<Firing> cancelled = new ArrayList<>();

    @Override
    public void afterMatchFired(AfterMatchFiredEvent event) {
        firings.add(firing(event.getMatch()));
    }

    @Override
    public void matchCancelled(MatchCancelledEvent event) {
        if (cancelled.size() < MAX_CANCELLED) {
            cancelled.add(firing(event.getMatch()));
        }
    }

    private static Firing firing(Match match) {
        List<String> matched = match.getObjects().stream()
                .limit(MAX_FACTS)
                .map(FiringRecorder::summary)
                .toList();
        Object description = match.getRule().getMetaData().get(Description.class.getName());
        return new Firing(match.getRule().getName(), match.getRule().getPackageName(),
                description == null ? null : description.toString(), matched);
    }

    static String summary(Object fact) {
        String text = String.valueOf(fact);
        if (text.length() <= MAX_FACT_CHARS) {
            return text;
        }
        // never half a surrogate pair: the records' canonical JSON (RFC 8785) refuses a lone one, and a
        // fact whose text had an emoji across the cut failed every decision that matched it (500)
        int end = MAX_FACT_CHARS - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }

    List<Firing> firings() {
        return List.copyOf(firings);
    }

    List<Firing> cancelled() {
        return List.copyOf(cancelled);
    }
}
