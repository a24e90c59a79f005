package org.execpolicy.pdp.engine;

import java.util.ArrayList;
import java.util.List;
import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;

/** Collects every firing of one session in order, with a bounded summary of the matched facts. */
final class FiringRecorder extends DefaultAgendaEventListener {
    static final int MAX_FACTS = 16;
    static final int MAX_FACT_CHARS = 512;

    private final List<Firing> firings = new ArrayList<>();

    @Override
    public void afterMatchFired(AfterMatchFiredEvent event) {
        var match = event.getMatch();
        List<String> matched = match.getObjects().stream()
                .limit(MAX_FACTS)
                .map(FiringRecorder::summary)
                .toList();
        firings.add(new Firing(match.getRule().getName(), match.getRule().getPackageName(), matched));
    }

    private static String summary(Object fact) {
        String text = String.valueOf(fact);
        return text.length() <= MAX_FACT_CHARS ? text : text.substring(0, MAX_FACT_CHARS - 1) + "…";
    }

    List<Firing> firings() {
        return List.copyOf(firings);
    }
}
