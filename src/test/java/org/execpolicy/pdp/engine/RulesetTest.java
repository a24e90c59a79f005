package org.execpolicy.pdp.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesetTest {
    @TempDir
    Path dir;

    @Test
    void digest_is_sha256_over_the_drl_files_in_name_order() throws Exception {
        Ruleset ruleset = Ruleset.compile(Path.of("rules"));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        List<Path> files;
        try (var list = Files.list(Path.of("rules"))) {
            files = list.filter(p -> p.toString().endsWith(".drl")).sorted().toList();
        }
        for (Path file : files) {
            sha.update(Files.readAllBytes(file));
        }
        assertThat(ruleset.digest()).isEqualTo(HexFormat.of().formatHex(sha.digest()));
        assertThat(ruleset.files()).extracting(RuleFile::name)
                .containsExactlyElementsOf(files.stream().map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void a_drl_that_does_not_compile_is_reported_with_file_and_line() throws IOException {
        Files.copy(Path.of("rules/roles.drl"), dir.resolve("roles.drl"));
        Files.writeString(dir.resolve("broken.drl"), """
                package org.execpolicy.rules;
                import org.execpolicy.pdp.model.*;

                rule "broken: refers to a fact type that does not exist"
                when
                    NoSuchFact( x == 1 )
                then
                end
                """);
        assertThatThrownBy(() -> Ruleset.compile(dir))
                .isInstanceOfSatisfying(RulesCompileException.class, e -> {
                    assertThat(e.messages()).isNotEmpty();
                    assertThat(e.messages().get(0).file()).isEqualTo("broken.drl");
                    assertThat(e.messages().get(0).line()).isEqualTo(6);
                    assertThat(e.getMessage()).contains("broken.drl:6");
                });
    }

    @Test
    void every_shipped_rule_has_a_description_and_a_unique_name() {
        List<RuleInfo> rules = Ruleset.compile(Path.of("rules")).rules();
        assertThat(rules).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.description()).isNotBlank();
            assertThat(rule.line()).isPositive();
        });
        assertThat(rules).extracting(RuleInfo::name).doesNotHaveDuplicates();
    }

    @Test
    void a_rule_without_description_or_with_a_taken_name_is_refused_naming_the_rule() throws IOException {
        Files.copy(Path.of("rules/roles.drl"), dir.resolve("roles.drl"));
        Files.writeString(dir.resolve("extra.drl"), """
                package org.execpolicy.rules.extra;
                import org.execpolicy.pdp.model.*;
                // salience-band: 0..99

                rule "role class: a core role is its own class"
                    @description("same name as a rule in roles.drl, other package")
                when
                    DecisionRequest()
                then
                end

                rule "extra: says nothing about itself"
                when
                    DecisionRequest()
                then
                end
                """);
        assertThatThrownBy(() -> Ruleset.compile(dir))
                .isInstanceOfSatisfying(RulesCompileException.class, e -> assertThat(e.messages())
                        .extracting(RuleMessage::toString)
                        .anySatisfy(m -> assertThat(m).startsWith("extra.drl:12:")
                                .contains("\"extra: says nothing about itself\" has no @description"))
                        .anySatisfy(m -> assertThat(m).startsWith("extra.drl:5:")
                                .contains("\"role class: a core role is its own class\" is used by 2 rules"))
                        .anySatisfy(m -> assertThat(m).startsWith("roles.drl:")
                                .contains("is used by 2 rules")));
    }

    /** A fixture ruleset with one file for each salience band error, and two files that break none. */
    private static final Path BAD_BANDS = Path.of("src/test/resources/rulesets/bad_bands");

    @Test
    void each_salience_band_error_is_refused_naming_file_rule_and_band() {
        assertThatThrownBy(() -> Ruleset.compile(BAD_BANDS))
                .isInstanceOfSatisfying(RulesCompileException.class, e -> assertThat(e.messages())
                        .extracting(RuleMessage::toString)
                        .containsExactly(
                                "a_first.drl:4: salience band 100..199 overlaps the band 150..299 of b_overlapping.drl"
                                        + " in agenda group MAIN; bands of one agenda group must not overlap, so that"
                                        + " the order between files is the order of their bands",
                                "a_first.drl:17: rule \"first: outside its band\" has salience 250, outside its"
                                        + " file's band 100..199 (declared on line 4)",
                                "b_overlapping.drl:4: salience band 150..299 overlaps the band 100..199 of a_first.drl"
                                        + " in agenda group MAIN; bands of one agenda group must not overlap, so that"
                                        + " the order between files is the order of their bands",
                                "c_unbanded.drl:1: no salience band declared: a file with rules declares the saliences"
                                        + " its rules use in its header, before its first rule, as"
                                        + " \"// salience-band: LOW..HIGH\""));
    }

    @Test
    void a_band_declared_after_the_first_rule_is_no_header_and_two_bands_are_one_too_many() throws IOException {
        Files.writeString(dir.resolve("late.drl"), """
                package org.execpolicy.rules;
                import org.execpolicy.pdp.model.*;

                rule "late: its band comes after it"
                    @description("test")
                when
                    DecisionRequest()
                then
                end
                // salience-band: 0..99
                """);
        Files.writeString(dir.resolve("twice.drl"), """
                // salience-band: 100..199
                // salience-band: 200..299
                package org.execpolicy.rules;
                import org.execpolicy.pdp.model.*;

                rule "twice: in a file with two bands"
                    @description("test")
                    salience 150
                when
                    DecisionRequest()
                then
                end
                """);
        assertThatThrownBy(() -> Ruleset.compile(dir))
                .isInstanceOfSatisfying(RulesCompileException.class, e -> assertThat(e.messages())
                        .extracting(RuleMessage::toString)
                        .containsExactly(
                                "late.drl:1: no salience band declared: a file with rules declares the saliences"
                                        + " its rules use in its header, before its first rule, as"
                                        + " \"// salience-band: LOW..HIGH\"",
                                "twice.drl:2: the header declares 2 salience bands; a file has one"));
    }

    @Test
    void a_directory_without_rules_is_refused() {
        assertThatThrownBy(() -> Ruleset.compile(dir)).isInstanceOf(RulesCompileException.class)
                .hasMessageContaining("no .drl files");
        assertThatThrownBy(() -> Ruleset.compile(dir.resolve("absent"))).isInstanceOf(RulesCompileException.class)
                .hasMessageContaining("no such rules directory");
    }
}
