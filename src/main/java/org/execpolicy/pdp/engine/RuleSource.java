package org.execpolicy.pdp.engine;

import java.util.Arrays;

/** One DRL file of a ruleset as compiled: its file name and its exact bytes. */
public record RuleSource(String name, byte[] bytes) {
    public RuleSource {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RuleSource that && name.equals(that.name) && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "RuleSource{" + name + ", " + bytes.length + " bytes}";
    }
}
