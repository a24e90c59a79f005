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
    void digestIsSha256OverTheDrlFilesInNameOrder() throws Exception {
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
    void aDrlThatDoesNotCompileIsReportedWithFileAndLine() throws IOException {
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
    void everyShippedRuleHasADescriptionAndAUniqueName() {
        List<RuleInfo> rules = Ruleset.compile(Path.of("rules")).rules();
        assertThat(rules).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.description()).isNotBlank();
            assertThat(rule.line()).isPositive();
        });
        assertThat(rules).extracting(RuleInfo::name).doesNotHaveDuplicates();
    }

    @Test
    void aRuleWithoutDescriptionOrWithATakenNameIsRefusedNamingTheRule() throws IOException {
        Files.copy(Path.of("rules/roles.drl"), dir.resolve("roles.drl"));
        Files.writeString(dir.resolve("extra.drl"), """
                package org.execpolicy.rules.extra;
                import org.execpolicy.pdp.model.*;

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
                        .anySatisfy(m -> assertThat(m).startsWith("extra.drl:11:")
                                .contains("\"extra: says nothing about itself\" has no @description"))
                        .anySatisfy(m -> assertThat(m).startsWith("extra.drl:4:")
                                .contains("\"role class: a core role is its own class\" is used by 2 rules"))
                        .anySatisfy(m -> assertThat(m).startsWith("roles.drl:")
                                .contains("is used by 2 rules")));
    }

    @Test
    void aDirectoryWithoutRulesIsRefused() {
        assertThatThrownBy(() -> Ruleset.compile(dir)).isInstanceOf(RulesCompileException.class)
                .hasMessageContaining("no .drl files");
        assertThatThrownBy(() -> Ruleset.compile(dir.resolve("absent"))).isInstanceOf(RulesCompileException.class)
                .hasMessageContaining("no such rules directory");
    }
}
