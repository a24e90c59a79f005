package org.execpolicy.pdp.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What each room may use (DESIGN.md): the rules engine is pure (no store, no HTTP), the evidence
 * store knows nothing of rules or HTTP, and the facts and JSON helpers of {@code model} use no room.
 * The services that do IO around a decision live in {@code decision} and {@code execution}.
 */
class RoomsTest {
    static JavaClasses classes;

    @BeforeAll
    static void importMain() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.execpolicy.pdp");
    }

    @Test
    void the_engine_uses_no_store_no_service_and_no_adapter() {
        noClasses().that().resideInAPackage("..pdp.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("..pdp.recorder..", "..pdp.decision..",
                        "..pdp.execution..", "..pdp.api..", "..pdp.cli..")
                .check(classes);
    }

    @Test
    void the_store_knows_nothing_of_rules_services_or_adapters() {
        noClasses().that().resideInAPackage("..pdp.recorder..")
                .should().dependOnClassesThat().resideInAnyPackage("..pdp.engine..", "..pdp.decision..",
                        "..pdp.execution..", "..pdp.api..", "..pdp.cli..")
                .check(classes);
    }

    @Test
    void the_model_uses_no_room() {
        noClasses().that().resideInAPackage("..pdp.model..")
                .should().dependOnClassesThat().resideInAnyPackage("..pdp.engine..", "..pdp.recorder..",
                        "..pdp.decision..", "..pdp.execution..", "..pdp.api..", "..pdp.cli..")
                .check(classes);
    }

    @Test
    void the_services_and_the_http_handlers_see_the_recorder_only_as_an_evidence_store() {
        // PdpServer and the CLI commands build the store; everything else is given an EvidenceStore
        noClasses().that().resideInAnyPackage("..pdp.decision..", "..pdp.execution..", "..pdp.api..")
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
