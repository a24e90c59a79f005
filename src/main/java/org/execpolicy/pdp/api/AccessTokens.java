package org.execpolicy.pdp.api;

import org.execpolicy.pdp.json.Sha256;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.execpolicy.pdp.json.Json;

/**
 * The bearer tokens in {@code DATA/tokens.json}: {@code {"tokens":[{"name","token","scopes"}]}}.
 * Written on first start with one token per scope, readable by the owner only (0600).
 * Tokens are held by their SHA-256, so a lookup compares digests, not secrets.
 */
public final class AccessTokens {
    static final String FILE_NAME = "tokens.json";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The records' schemas bound `operator` to this. */
    private static final int MAX_NAME_LENGTH = 256;

    /** Who is asking: the token's name (recorded as the operator) and what it may do. */
    record Holder(String name, Set<Scope> scopes) {
        boolean may(Scope needed) {
            return scopes.stream().anyMatch(s -> s.grants(needed));
        }
    }

    private final Map<String, Holder> byDigest;
    private final Path file;
    private final boolean created;

    private AccessTokens(Map<String, Holder> byDigest, Path file, boolean created) {
        this.byDigest = byDigest;
        this.file = file;
        this.created = created;
    }

    /** Reads the data directory's token file, writing a new one first if there is none. */
    static AccessTokens openOrCreate(Path dataDir) {
        return openOrCreateFile(dataDir.resolve(FILE_NAME));
    }

    /** Reads the given token file (one shared by several nodes), writing a new one first if there is none. */
    static AccessTokens openOrCreateFile(Path file) {
        boolean created = false;
        if (!Files.exists(file)) {
            created = writeNew(file);
        }
        return new AccessTokens(read(file), file, created);
    }

    /** The secret of the token called {@code name} in a data directory's token file (for clients on this host). */
    public static String secretOf(Path dataDir, String name) {
        return secretIn(dataDir.resolve(FILE_NAME), name);
    }

    /** The secret of the token called {@code name} in the given token file. */
    public static String secretIn(Path file, String name) {
        try {
            for (JsonNode entry : Json.MAPPER.readTree(file.toFile()).path("tokens")) {
                if (name.equals(entry.path("name").asText())) {
                    return entry.path("token").asText();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        throw new IllegalStateException(file + " has no token named '" + name + "'");
    }

    Optional<Holder> holderOf(String token) {
        return Optional.ofNullable(byDigest.get(Sha256.hex(token)));
    }

    Path file() {
        return file;
    }

    /** True when this start wrote the file. */
    boolean created() {
        return created;
    }

    private static boolean writeNew(Path file) {
        ObjectNode root = Json.object();
        ArrayNode tokens = root.putArray("tokens");
        for (Scope scope : Scope.values()) {
            ObjectNode token = tokens.addObject();
            token.put("name", scope.wireName());
            token.put("token", "pdp_" + scope.wireName() + "_" + randomSecret());
            token.putArray("scopes").add(scope.wireName());
        }
        try {
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), ".tokens", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, root.toPrettyString() + "\n", StandardCharsets.UTF_8);
            try {
                // a link appears whole, and never replaces a file another process wrote meanwhile
                Files.createLink(file, temp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Holder> read(Path file) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException(file + " is not readable JSON: " + e.getMessage(), e);
        }
        JsonNode tokens = root == null ? null : root.get("tokens");
        if (tokens == null || !tokens.isArray()) {
            throw new IllegalStateException(file + ": expected {\"tokens\": [{\"name\", \"token\", \"scopes\"}]}");
        }
        Map<String, Holder> byDigest = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            JsonNode entry = tokens.get(i);
            String at = file + " /tokens/" + i;
            String name = entry.path("name").asText("");
            String token = entry.path("token").asText("");
            if (name.isBlank() || name.length() > MAX_NAME_LENGTH || token.length() < 16) {
                throw new IllegalStateException(at + ": needs a name of 1 to " + MAX_NAME_LENGTH
                        + " characters (it is recorded as the operator) and a token of at least 16 characters");
            }
            Set<Scope> scopes = EnumSet.noneOf(Scope.class);
            for (JsonNode scope : entry.path("scopes")) {
                scopes.add(Scope.of(scope.asText()).orElseThrow(() -> new IllegalStateException(
                        at + ": unknown scope '" + scope.asText() + "' (runtime, operator, auditor)")));
            }
            if (byDigest.put(Sha256.hex(token), new Holder(name, Set.copyOf(scopes))) != null) {
                throw new IllegalStateException(at + ": the same token is listed twice");
            }
        }
        return Map.copyOf(byDigest);
    }

    private static String randomSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
