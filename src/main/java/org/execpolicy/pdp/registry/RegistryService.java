package org.execpolicy.pdp.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.execpolicy.pdp.json.FieldError;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.model.SecretRedactor;
import org.execpolicy.pdp.recorder.ProfileUsedException;
import org.execpolicy.pdp.recorder.RegistryStore;

/**
 * Work profiles, dynamic roles and waivers: what operators set and the rules read, and the one
 * transaction every change goes through. A change is checked against the stored state (caught up
 * from the store first, holding the store's monitor, the one its own writes hold, so two saves on one
 * node never check against the same 'before'), then stored with its record (who, what, hashes before
 * and after) in one commit by {@link RegistryStore}, which refuses a change another node made in between. Refusals are
 * {@link RegistryRefusedException}s; nothing of a refused change is stored. Writes block (they
 * commit to the store): callers run them off any event loop.
 */
public final class RegistryService {
    private final RegistryStore store;
    private final WaiverCoverage waiverCoverage;
    private final Clock clock;
    private final SecretRedactor redactor;

    public RegistryService(RegistryStore store, WaiverCoverage waiverCoverage, Clock clock, SecretRedactor redactor) {
        this.store = store;
        this.waiverCoverage = waiverCoverage;
        this.clock = clock;
        this.redactor = redactor;
    }

    // ---- profiles

    /** Saves a work profile; true when it is new. Refused when used, a case twin, or a waiver would not cover it. */
    public boolean putProfile(String id, ObjectNode profile, String operator) {
        refuse(RegistryEntryChecks.ofProfile(profile));
        synchronized (store) {
            store.catchUp(); // what the change is checked against and records as 'before' is the stored state
            if (store.usedAsKnown(id)) {
                throw usedProfile(store.usedProfileRefusal(id)); // before any other check: no edit helps
            }
            ObjectNode before = store.profile(id).orElse(null);
            refuseCaseTwin("profile_id", id, store.profileIds());
            Instant now = clock.instant();
            refuseUncovered(waiverCoverage.ofProfile(id, before, profile, now));
            try {
                store.putProfile(id, profile, operator,
                        was -> List.of(RegistryChangeRecords.profileChanged(id, was, profile, operator, now)));
            } catch (ProfileUsedException e) {
                throw usedProfile(e);
            }
            return before == null;
        }
    }

    /** SPEC 2, spec 4.3.7.1: a used profile is immutable; the detail says to save under a new profile_id. */
    private static RegistryRefusedException usedProfile(ProfileUsedException e) {
        return new RegistryRefusedException(RegistryRefusedException.Kind.CONFLICT, e.getMessage(),
                List.of(new FieldError("/profile_id", "profile '" + e.profileId() + "' has been used by a decision"
                        + " and is immutable; choose a new profile_id")));
    }

    /** Makes a stored profile the one in force, recording the one it replaces. */
    public void activate(String id, String operator) {
        try {
            // the previously active profile as the store saw it, under its lock
            store.activate(id, previous -> List.of(RegistryChangeRecords.profileSelected(id,
                    store.profile(id).orElseThrow(), Json.textOrNull(previous, "profile_id"),
                    operator, clock.instant())));
        } catch (NoSuchElementException e) {
            throw RegistryRefusedException.unknown("no work profile '" + id + "'");
        }
    }

    /** Every stored version of a profile (blocking: read from the store). */
    public List<ObjectNode> profileHistory(String id) {
        if (store.profile(id).isEmpty()) {
            throw RegistryRefusedException.unknown("no work profile '" + id + "'");
        }
        return store.profileHistory(id);
    }

    public Optional<ObjectNode> profile(String id) {
        return store.profile(id);
    }

    public List<ObjectNode> profiles() {
        return store.profiles();
    }

    public Optional<String> activeProfileId() {
        return store.activeProfileId();
    }

    /** Which profiles decisions have used (blocking: read from the store, where every node marks them). */
    public Set<String> usedProfileIds() {
        return store.usedProfileIds();
    }

    // ---- dynamic roles

    /** Saves a dynamic role; true when it is new. Refused when a case twin or a waiver would not cover it. */
    public boolean putRole(String id, ObjectNode role, String operator) {
        refuse(RegistryEntryChecks.ofDynamicRole(role));
        synchronized (store) {
            store.catchUp(); // what the change is checked against and records as 'before' is the stored state
            ObjectNode before = store.role(id).orElse(null);
            refuseCaseTwin("role_id", id, store.roleIds());
            Instant now = clock.instant();
            String activeId = store.activeProfileId().orElse(null);
            refuseUncovered(waiverCoverage.ofDynamicRole(before, role,
                    activeId == null ? null : store.profile(activeId).orElse(null), now));
            store.putRole(id, role, was -> List.of(RegistryChangeRecords.roleChanged(id, was, role, operator, now)));
            return before == null;
        }
    }

    public Optional<ObjectNode> role(String id) {
        return store.role(id);
    }

    public List<ObjectNode> roles() {
        return store.roles();
    }

    // ---- waivers: never deleted, only revoked

    /** Grants a new waiver (pending a second operator when MEDIUM or HIGH risk) and answers it as stored. */
    public ObjectNode grantWaiver(ObjectNode waiver, String operator) {
        Instant now = clock.instant();
        refuse(RegistryEntryChecks.ofNewWaiver(waiver, now));
        if (!waiver.hasNonNull("waiver_id")) {
            waiver.put("waiver_id", "wv-" + UUID.randomUUID());
        }
        String id = waiver.get("waiver_id").asText();
        // stored for good, in a record that can never be edited: a pasted credential must not be (SPEC 4)
        waiver.put("justification", redactor.redact(waiver.path("justification").asText()));
        waiver.put("created_at", now.toString());
        waiver.putNull("revoked_at");
        WaiverApproval.grant(waiver, operator);
        synchronized (store) {
            store.catchUp(); // what the change is checked against and records as 'before' is the stored state
            if (store.waiver(id).isPresent()) {
                throw RegistryRefusedException.conflict("waiver '" + id + "' exists; waivers are never replaced");
            }
            refuseCaseTwin("waiver_id", id, store.waiverIds());
            store.putWaiver(id, waiver, was -> List.of(RegistryChangeRecords.waiverGranted(waiver, operator, now)));
        }
        return waiver;
    }

    /** Revokes a waiver for good; {@code reason} is kept (redacted) when it is text. */
    public ObjectNode revokeWaiver(String id, JsonNode reason, String operator) {
        Instant now = clock.instant();
        return changeWaiver(id, waiver -> {
            if (waiver.hasNonNull("revoked_at")) {
                throw RegistryRefusedException.conflict("waiver '" + id + "' was revoked at "
                        + waiver.get("revoked_at").asText());
            }
            waiver.put("revoked_at", now.toString());
            waiver.set("revoke_reason", reason == null || !reason.isTextual() ? NullNode.instance
                    : TextNode.valueOf(redactor.redact(reason.asText())));
            if (waiver.has("status")) { // a waiver stored before v2 has no state to keep
                waiver.put("status", WaiverApproval.REVOKED);
            }
            return waiver;
        }, revoked -> RegistryChangeRecords.waiverRevoked(revoked, operator, now));
    }

    /** v2: a second operator (another token name than granted_by) approves a pending MEDIUM or HIGH waiver. */
    public ObjectNode approveWaiver(String id, String operator) {
        Instant now = clock.instant();
        return changeWaiver(id, waiver -> {
            WaiverApproval.refusal(waiver, operator, now).ifPresent(refusal -> {
                throw refusal;
            });
            return WaiverApproval.approve(waiver, operator, now);
        }, approved -> RegistryChangeRecords.waiverApproved(approved, operator, now));
    }

    public Optional<ObjectNode> waiver(String id) {
        return store.waiver(id);
    }

    public List<ObjectNode> waivers() {
        return store.waivers();
    }

    /** Changes a stored waiver from its current state in the store, with the record built from the result. */
    private ObjectNode changeWaiver(String id, UnaryOperator<ObjectNode> change, Function<ObjectNode, ObjectNode> record) {
        ObjectNode[] changed = {null};
        synchronized (store) {
            try {
                return store.changeWaiver(id, waiver -> changed[0] = change.apply(waiver),
                        was -> List.of(record.apply(changed[0])));
            } catch (NoSuchElementException e) {
                throw RegistryRefusedException.unknown("no waiver '" + id + "'");
            }
        }
    }

    // ---- checks a schema cannot say

    /** The first field the registry refuses; nothing is stored. */
    private static void refuse(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw RegistryRefusedException.invalid(errors.get(0));
        }
    }

    /** The id when it differs from a stored one only by case (wv-1 beside WV-1); nothing is stored. */
    private static void refuseCaseTwin(String field, String id, Set<String> storedIds) {
        RegistryEntryChecks.caseTwin(field, id, storedIds)
                .ifPresent(twin -> {
                    throw new RegistryRefusedException(RegistryRefusedException.Kind.CONFLICT, twin.message(),
                            List.of(twin));
                });
    }

    /** Each role whose waiver the rules would refuse; nothing is stored. */
    private static void refuseUncovered(List<WaiverCoverage.Uncovered> uncovered) {
        if (!uncovered.isEmpty()) {
            List<FieldError> errors = uncovered.stream().map(u -> new FieldError(u.path(), u.message())).toList();
            throw new RegistryRefusedException(RegistryRefusedException.Kind.INVALID,
                    "approximate execution cannot be turned on: " + errors.get(0).message()
                            + " (at " + errors.get(0).path() + ")", errors);
        }
    }
}
