package org.execpolicy.pdp.json;

/**
 * A map key equal only to itself: the same object, not an equal one. For values computed from
 * objects that do not change, where an equality key would hash the whole object on every lookup.
 */
public record IdentityKey(Object value) {
    @Override
    public boolean equals(Object other) {
        return other instanceof IdentityKey key && key.value == value;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(value);
    }
}
