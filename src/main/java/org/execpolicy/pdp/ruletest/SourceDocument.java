package org.execpolicy.pdp.ruletest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON or YAML file read as a tree that remembers the line of every value,
 * so that a problem anywhere in it can be reported as `file:line: ...`, the
 * place an author edits. `.yaml` and `.yml` are YAML; anything else is JSON.
 */
public final class SourceDocument {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private final Path file;
    private final JsonNode root;
    private final Map<String, Integer> lines;

    private SourceDocument(Path file, JsonNode root, Map<String, Integer> lines) {
        this.file = file;
        this.root = root;
        this.lines = lines;
    }

    /** @throws InvalidInputException naming the file and line when it cannot be read or parsed */
    public static SourceDocument read(Path file) {
        String name = file.getFileName().toString();
        boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
        ObjectMapper mapper = yaml ? YAML : JSON;
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            String why = e instanceof NoSuchFileException ? "no such file" : e.toString();
            throw new InvalidInputException(List.of(file + ": cannot read: " + why));
        }
        try {
            JsonNode root = mapper.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new InvalidInputException(List.of(file + ":1: empty " + (yaml ? "YAML" : "JSON") + " document"));
            }
            return new SourceDocument(file, root, linesOf(file, mapper, text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : lineOf(e.getLocation());
            throw new InvalidInputException(List.of(file + ":" + line + ": malformed YAML: " + e.getProblem()));
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(List.of(file + ":" + lineOf(e.getLocation()) + ": malformed "
                    + (yaml ? "YAML" : "JSON") + ": " + e.getOriginalMessage().lines().findFirst().orElse("")));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a String: not expected
        }
    }

    /**
     * The line where each value starts, by JSON pointer. YAML aliases are
     * refused: Jackson reads `*name` as the plain string "name", which would
     * silently change what a case means.
     */
    private static Map<String, Integer> linesOf(Path file, ObjectMapper mapper, String text) throws IOException {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = mapper.getFactory().createParser(text)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                String pointer = parser.getParsingContext().pathAsPointer().toString();
                int line = parser.currentTokenLocation().getLineNr();
                lines.putIfAbsent(pointer, line);
                if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                    throw new InvalidInputException(List.of(file + ":" + line
                            + ": YAML aliases (*" + parser.getText() + ") are not supported; repeat the value"));
                }
            }
        }
        return lines;
    }

    private static int lineOf(JsonLocation location) {
        return location == null ? 0 : Math.max(location.getLineNr(), 0);
    }

    Path file() {
        return file;
    }

    public JsonNode root() {
        return root;
    }

    /** The line of the value at the pointer, else of its nearest enclosing value that exists. */
    int line(String pointer) {
        String at = pointer;
        while (true) {
            Integer line = lines.get(at);
            if (line != null) {
                return line;
            }
            if (at.isEmpty()) {
                return 1;
            }
            at = at.substring(0, at.lastIndexOf('/'));
        }
    }

    /** `file:line: message` for a problem at the pointer. */
    public String at(String pointer, String message) {
        return file + ":" + line(pointer) + ": " + message;
    }
}
