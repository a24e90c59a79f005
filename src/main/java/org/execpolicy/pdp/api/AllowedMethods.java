package org.execpolicy.pdp.api;

import io.vertx.openapi.contract.OpenAPIContract;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The methods each path of openapi.yaml accepts, for the Allow header of a 405 (RFC 9110 15.5.6). */
final class AllowedMethods {
    private final Map<Pattern, String> allowByPath = new LinkedHashMap<>();

    AllowedMethods(OpenAPIContract contract) {
        contract.getPaths().forEach(path -> {
            String regex = "^" + path.getName().replaceAll("\\{[^/]+}", "[^/]+") + "$";
            TreeSet<String> names = path.getOperations().stream().map(op -> op.getHttpMethod().name())
                    .collect(Collectors.toCollection(TreeSet::new));
            if (names.contains("GET")) {
                names.add("HEAD"); // served as GET without the body
            }
            String methods = String.join(", ", names);
            allowByPath.put(Pattern.compile(regex), methods);
        });
    }

    /** The Allow header value for a request path, or null when the path is not in the contract. */
    String of(String requestPath) {
        return allowByPath.entrySet().stream().filter(e -> e.getKey().matcher(requestPath).matches())
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }
}
