package org.execpolicy.pdp.recorder;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each loaded ruleset says of its rules (package, description), stored once per ruleset
 * digest in {@code ruleset_rules}, so that a {@code policy_rule_fired} record need not repeat it.
 * A digest's rules never change, so they are cached once read.
 */
public final class RuleCatalog {
    /** One rule of a ruleset, as a firing record names it. */
    public record RuleText(String name, String rulePackage, String description) {
    }

    private final Database db;
    private final Map<String, Map<String, RuleText>> byDigest = new ConcurrentHashMap<>();

    RuleCatalog(Database db) {
        this.db = db;
    }

    /** Stores the rules of a ruleset under its digest, unless stored already. */
    public void register(String digest, List<RuleText> rules) {
        if (byDigest.containsKey(digest)) {
            return;
        }
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            if (load(c, digest).isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO ruleset_rules"
                        + " (digest, rule_name, rule_package, description) VALUES (?, ?, ?, ?)")) {
                    for (RuleText rule : rules) {
                        ps.setString(1, digest);
                        ps.setString(2, rule.name());
                        ps.setString(3, rule.rulePackage());
                        ps.setString(4, rule.description() == null ? "" : rule.description());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            c.commit();
            db.sync(c); // firing records name these rules from now on
        } catch (SQLException e) {
            if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) { // another node stored it first
                throw new RecorderUnavailableException("cannot store the rules of ruleset " + digest + ": "
                        + e.getMessage(), e);
            }
        }
        byDigest.remove(digest); // read back what is stored, whoever stored it
        rules(digest);
    }

    /** The rule of that name in the ruleset of that digest, if the ruleset was registered. */
    Optional<RuleText> rule(String digest, String name) {
        return Optional.ofNullable(rules(digest).get(name));
    }

    private Map<String, RuleText> rules(String digest) {
        Map<String, RuleText> cached = byDigest.get(digest);
        if (cached != null) {
            return cached;
        }
        try (Connection c = db.connection()) {
            Map<String, RuleText> rules = load(c, digest);
            if (!rules.isEmpty()) {
                byDigest.put(digest, rules);
            }
            return rules;
        } catch (SQLException e) {
            throw new RecorderUnavailableException("cannot read the rules of ruleset " + digest + ": "
                    + e.getMessage(), e);
        }
    }

    private static Map<String, RuleText> load(Connection c, String digest) throws SQLException {
        Map<String, RuleText> rules = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT rule_name, rule_package, description FROM ruleset_rules WHERE digest = ?")) {
            ps.setString(1, digest);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rules.put(rs.getString(1), new RuleText(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return Map.copyOf(rules);
    }
}
