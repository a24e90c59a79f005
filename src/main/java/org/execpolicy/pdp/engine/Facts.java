package org.execpolicy.pdp.engine;

import java.util.List;
import org.execpolicy.pdp.model.ServerTime;
import org.execpolicy.pdp.model.DecisionRequest;

/**
 * Everything one decision is made from: the request, the clock and the registry facts that concern it,
 * and the inputs they were assembled from, as recorded for replay.
 */
public record Facts(DecisionRequest request, ServerTime clock, List<Object> context, DecisionInputs inputs) {
}
