package org.execpolicy.pdp.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/** Which parts of a JSON document changed, as JSON Pointers (RFC 6901), for the audit of registry changes. */
public final class JsonDiff {
    private JsonDiff() {
    }

    /**
     * Pointers to every member added, removed or changed, in document order of their names;
     * objects are compared member by member, anything else (arrays included) as a whole.
     * A null {@code before} (a new entry) changes the whole document: {@code [""]}.
     */
    public static List<String> changedPaths(JsonNode before, JsonNode after) {
        List<String> paths = new ArrayList<>();
        if (before == null) {
            paths.add("");
        } else {
            collect(before, after, "", paths);
        }
        return paths;
    }

    private static void collect(JsonNode before, JsonNode after, String at, List<String> paths) {
        if (before.equals(after)) {
            return;
        }
        if (!before.isObject() || !after.isObject()) {
            paths.add(at);
            return;
        }
        TreeSet<String> names = new TreeSet<>();
        before.fieldNames().forEachRemaining(names::add);
        after.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            String path = at + "/" + name.replace("~", "~0").replace("/", "~1");
            JsonNode was = before.get(name);
            JsonNode is = after.get(name);
            if (was == null || is == null) {
                paths.add(path);
            } else {
                collect(was, is, path, paths);
            }
        }
    }
}
