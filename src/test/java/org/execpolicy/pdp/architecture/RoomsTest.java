package org.execpolicy.pdp.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What each room may use (README "Architecture", each room's package doc): {@code json} uses no room,
 * {@code model} only {@code json}, the rules engine is pure (no store, no service, no adapter), the
 * evidence store knows nothing of rules or HTTP, the services ({@code registry}, {@code decision},
 * {@code execution}) and the rule-case library ({@code ruletest}) never use an adapter, and only the
 * adapters ({@code api}, {@code cli}) use the HTTP layer.
 */
class RoomsTest {
    static JavaClasses classes;

    @BeforeAll
    static void importMain() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.execpolicy.pdp");
    }

    @Test
    void json_uses_no_room() {
        noClasses().that().resideInAPackage("..pdp.json..")
                .should().dependOnClassesThat().resideInAnyPackage("..pdp.model..", "..pdp.engine..",
                        "..pdp.recorder..", "..pdp.registry..", "..pdp.decision..", "..pdp.execution..",
                        "..pdp.ruletest..", "..pdp.api..", "..pdp.cli..")
                .check(classes);
    }

    @Test
    void the_model_uses_only_json() {
        noClasses().that().resideInAPackage("..pdp.model..")
                .should().dependOnClassesThat().resideInAnyPackage("..pdp.engine..", "..pdp.recorder..",
                        "..pdp.registry..", "..pdp.decision..", "..pdp.execution..", "..pdp.ruletest..",
                        "..pdp.api..", "..pdp.cli..")
                .check(classes);
    }

    @Test
    void the_engine_uses_no_store_no_service_and_no_adapter() {
        noClasses().that().resideInAPackage("..pdp.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("..pdp.recorder..", "..pdp.registry..",
                        "..pdp.decision..", "..pdp.execution..", "..pdp.ruletest..", "..pdp.api..", "..pdp.cli..")
                .check(classes);
    }

    @Test
    void the_store_knows_nothing_of_rules_services_or_adapters() {
        noClasses().that().resideInAPackage("..pdp.recorder..")
                .should().dependOnClassesThat().resideInAnyPackage("..pdp.engine..", "..pdp.registry..",
                        "..pdp.decision..", "..pdp.execution..", "..pdp.ruletest..", "..pdp.api..", "..pdp.cli..")
                .check(classes);
    }

    @Test
    void the_registry_uses_no_other_service_and_no_adapter() {
        noClasses().that().resideInAPackage("..pdp.registry..")
                .should().dependOnClassesThat().resideInAnyPackage("..pdp.decision..", "..pdp.execution..",
                        "..pdp.ruletest..", "..pdp.api..", "..pdp.cli..")
                .check(classes);
    }

    @Test
    void execution_comes_after_a_decision_and_uses_no_adapter() {
        // decision reads execution (whether a decision expects a trace); never the other way round
        noClasses().that().resideInAPackage("..pdp.execution..")
                .should().dependOnClassesThat().resideInAnyPackage("..pdp.decision..", "..pdp.registry..",
                        "..pdp.ruletest..", "..pdp.api..", "..pdp.cli..")
                .check(classes);
    }

    @Test
    void decisions_use_no_adapter_and_no_rule_case() {
        noClasses().that().resideInAPackage("..pdp.decision..")
                .should().dependOnClassesThat().resideInAnyPackage("..pdp.ruletest..", "..pdp.api..", "..pdp.cli..")
                .check(classes);
    }

    @Test
    void the_rule_case_library_uses_no_adapter_and_no_store() {
        noClasses().that().resideInAPackage("..pdp.ruletest..")
                .should().dependOnClassesThat().resideInAnyPackage("..pdp.recorder..", "..pdp.execution..",
                        "..pdp.api..", "..pdp.cli..")
                .check(classes);
    }

    @Test
    void the_services_and_the_http_handlers_see_the_recorder_only_as_an_evidence_store() {
        // PdpServer and the CLI commands build the store; everything else is given an EvidenceStore
        noClasses().that().resideInAnyPackage("..pdp.registry..", "..pdp.decision..", "..pdp.execution..",
                        "..pdp.ruletest..", "..pdp.api..")
                .and().doNotHaveSimpleName("PdpServer")
                .should().dependOnClassesThat().haveSimpleName("FlightRecorder")
                .check(classes);
    }

    @Test
    void only_the_adapters_use_the_http_layer() {
        noClasses().that().resideOutsideOfPackages("..pdp.api..", "..pdp.cli..")
                .should().dependOnClassesThat().resideInAPackage("..pdp.api..")
                .check(classes);
    }
}
