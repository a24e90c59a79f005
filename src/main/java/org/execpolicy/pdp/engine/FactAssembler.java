package org.execpolicy.pdp.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.execpolicy.pdp.json.IdentityMemo;
import org.execpolicy.pdp.model.ServerTime;
import org.execpolicy.pdp.model.ComputeBlock;
import org.execpolicy.pdp.model.DecisionRequest;
import org.execpolicy.pdp.model.DynamicRole;
import org.execpolicy.pdp.model.ModelAssignment;
import org.execpolicy.pdp.model.TraceSample;
import org.execpolicy.pdp.model.Waiver;

/**
 * Turns a request and the registry entries that concern it into rule facts.
 * It selects nothing by policy: every model assignment and compute block of the
 * profile and of the request's dynamic role goes in, with every waiver they reference, and the
 * rules decide which one governs.
 */
public final class FactAssembler {
    /** A waiver is immutable, as is the registry's tree it is read from: one read per tree. */
    private static final IdentityMemo<Waiver> WAIVERS = new IdentityMemo<>(1024);

    private FactAssembler() {
    }

    /**
     * @param profile     the work profile in force (named in the request, else the active one), or null
     * @param dynamicRole the registered dynamic role whose id is the request's role, or null
     * @param waivers     looks a waiver up by id in the registry; its trees must not change (they are
     *                    remembered by identity)
     * @return the facts, with the {@link DecisionInputs} they were made from (what a replay needs)
     */
    public static Facts assemble(JsonNode request, JsonNode profile, JsonNode dynamicRole,
                                 Function<String, Optional<? extends JsonNode>> waivers, Instant now) {
        List<Object> context = new ArrayList<>();
        List<ComputeBlock> blocks = new ArrayList<>();
        if (profile != null) {
            profile.path("model_assignments").fields().forEachRemaining(assignment -> {
                // every class's models go in; permission.drl matches the one of the role's class
                context.add(ModelAssignment.of(assignment.getKey(), assignment.getValue()));
                JsonNode compute = assignment.getValue().get("compute");
                if (compute != null && compute.isObject()) {
                    blocks.add(ComputeBlock.of(ComputeBlock.WORK_PROFILE, assignment.getKey(), compute));
                }
            });
        }
        if (dynamicRole != null) {
            DynamicRole role = DynamicRole.fromJson(dynamicRole);
            context.add(role);
            JsonNode compute = dynamicRole.get("compute");
            if (compute != null && compute.isObject()) {
                blocks.add(ComputeBlock.of(ComputeBlock.DYNAMIC_ROLE, role.getRoleId(), compute));
            }
        }
        context.addAll(blocks);
        Set<String> waiverRefs = new LinkedHashSet<>();
        blocks.stream()
                .filter(block -> block.getApproximate() != null && block.getApproximate().getWaiverRef() != null)
                .forEach(block -> waiverRefs.add(block.getApproximate().getWaiverRef()));
        List<JsonNode> waiverSnapshots = new ArrayList<>();
        waiverRefs.forEach(ref -> waivers.apply(ref).ifPresent(waiver -> {
            waiverSnapshots.add(waiver);
            context.add(WAIVERS.get(waiver, Waiver::fromJson));
        }));
        // The request fact is built from the sanitized request that is recorded: one source for both.
        ObjectNode sanitized = DecisionInputs.sanitize(request);
        DecisionInputs inputs = new DecisionInputs(sanitized, profile, dynamicRole, waiverSnapshots, now);
        DecisionRequest decisionRequest = DecisionRequest.fromJson(sanitized);
        // sampling of exact traces (trace.drl) is decided from the trace id alone: replays agree
        context.add(TraceSample.of(decisionRequest.getTraceId()));
        return new Facts(decisionRequest, new ServerTime(now), context, inputs);
    }
}
