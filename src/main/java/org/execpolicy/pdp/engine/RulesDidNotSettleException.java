package org.execpolicy.pdp.engine;

import java.util.List;

/** The rules kept firing: a defect in rules/, reported with the rules that were looping. */
public final class RulesDidNotSettleException extends RuntimeException {
    RulesDidNotSettleException(int limit, List<Firing> firings) {
        super("the rules did not settle after " + limit + " firings; the last ones were "
                + firings.subList(Math.max(0, firings.size() - 4), firings.size()).stream()
                        .map(Firing::ruleName).toList());
    }
}
