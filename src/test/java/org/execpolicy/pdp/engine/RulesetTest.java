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
    void rulesThatUndoEachOtherAreStoppedInsteadOfSpinning() throws IOException {
        try (var list = Files.list(Path.of("rules"))) {
            for (Path file : list.filter(p -> p.toString().endsWith(".drl")).toList()) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
        }
        Files.writeString(dir.resolve("zz_loop.drl"), """
                package org.execpolicy.rules;
                import org.execpolicy.pdp.model.*;

                rule "loop: standard becomes spec_decode"
                    @description("test: undoes the other loop rule")
                when $e : Effective( mode == "standard" )
                then $e.getPolicy().switchTo( "spec_decode", "exact" ); update( $e );
                end

                rule "loop: spec_decode becomes standard"
                    @description("test: undoes the other loop rule")
                when $e : Effective( mode == "spec_decode" )
                then $e.getPolicy().switchTo( "standard", "exact" ); update( $e );
                end
                """);
        RuleEngine engine = new RuleEngine(Ruleset.compile(dir));
        Facts facts = FactAssembler.assemble(org.execpolicy.pdp.model.Json.parseObject(
                "{\"trace_id\":\"t\",\"role\":\"worker\",\"task_type\":\"chat\",\"model_id\":\"m\"}"),
                null, null, id -> java.util.Optional.empty(), java.time.Instant.now());
        // A rule error, answered with the safe default (RuleErrorTest has the details).
        Evaluation evaluation = engine.evaluate(facts);
        assertThat(evaluation.outcome().getReasonCodes()).containsExactly("RULE_ERROR");
        assertThat(evaluation.ruleError().message()).contains("did not settle").contains("loop: ");
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
