package org.execpolicy.pdp.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.SyntheticTrace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console in a real browser: Debian's headless chromium driven through chromium-driver,
 * against a real PDP (shipped rules, H2 in a temporary directory) on a free loopback port.
 * Screenshots of each screen go to target/screenshots/.
 */
class ConsoleBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PROFILE_ID = "console-profile";
    private static final String WORKER = "tr.role-row[data-role='worker']";

    private static Path userDataDir;
    private static ChromeDriverService service;
    private static WebDriver driver;
    private static WebDriverWait wait;

    private RunningPdp pdp;

    @BeforeAll
    static void startBrowser() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("The console browser tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", "
                    + CHROMEDRIVER + "); install them with: apt-get update && apt-get install -y chromium chromium-driver"
                    + " (.ci/run does this)");
        }
        // the driver and the browser are named explicitly, so Selenium Manager has nothing to look up or download
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        userDataDir = Files.createTempDirectory("console-chromium-");
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                "--disable-dev-shm-usage", "--window-size=1400,1000", "--user-data-dir=" + userDataDir);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, WAIT);
        wait.ignoring(NoSuchElementException.class).ignoring(StaleElementReferenceException.class);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (userDataDir != null) {
            try (var paths = Files.walk(userDataDir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @BeforeEach
    void startPdp() {
        pdp = RunningPdp.start();
    }

    @AfterEach
    void stopPdp() {
        if (pdp != null) {
            pdp.close();
        }
    }

    @Test
    void console_is_served_with_its_security_headers_and_the_api_still_answers() {
        RunningPdp.Reply page = pdp.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.body()).contains("<script type=\"module\" src=\"/app.js\"></script>");
        // every ES module of the console is served as JavaScript (a module script of another type does not run)
        List<String> modules = consoleModules();
        assertThat(modules).contains("app.js", "api.js", "changes.js", "decision-detail.js");
        for (String module : modules) {
            RunningPdp.Reply script = pdp.get("/" + module);
            assertThat(script.status()).as(module).isEqualTo(200);
            assertThat(script.contentType()).as(module).startsWith("text/javascript");
            assertThat(rawGet("/" + module).headers().firstValue("content-security-policy").orElse(""))
                    .as(module).contains("script-src 'self'");
        }
        assertThat(pdp.get("/no-such-module.js").status()).isEqualTo(404);
        var withHeaders = rawGet("/");
        assertThat(withHeaders.headers().firstValue("content-security-policy").orElse(""))
                .startsWith("default-src 'self'").doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(withHeaders.headers().firstValue("x-content-type-options")).hasValue("nosniff");

        RunningPdp.Reply unknown = pdp.get("/no-such-page");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(pdp.get("/openapi.yaml").status()).isEqualTo(200);
        assertThat(pdp.get("/health/live").status()).isEqualTo(200);
        assertThat(pdp.get("/v1/waivers").status()).isEqualTo(200);
    }

    @Test
    void operator_grants_approximate_execution_with_a_waiver_and_revokes_it() {
        seedActiveProfile();
        openConsoleWithToken(token("operator"));
        waitVisible(By.cssSelector(WORKER));
        screenshot("01-roles");

        // worker to fast_approx; approximate cannot be switched on without a waiver
        choose(WORKER + " select.preset-select", "fast_approx");
        click(WORKER + " input.approx-toggle");
        waitText(WORKER + " .approx-note", "No active waiver covers worker");
        wait.until(d -> !d.findElement(By.cssSelector(WORKER + " input.approx-toggle")).isSelected());
        assertThat(chosen(WORKER + " select.preset-select")).isEqualTo("fast_approx");
        screenshot("02-roles-approximate-refused");

        // a waiver: first refused without an approver (the server's words shown), then created
        click("#nav-waivers");
        type("#waiver-id", "wv-console");
        type("#waiver-roles", "worker");
        type("#waiver-justification", "batch summaries need the latency budget");
        click("#waiver-create");
        waitText("#waivers-message", "approver");
        type("#waiver-approver", "ops-lead");
        click("#waiver-create");
        waitText("#waivers-message", "Created waiver wv-console");
        waitText("tr[data-waiver-id='wv-console'] .status", "active");
        screenshot("03-waivers-created");

        // back on the roles: the unsaved preset is still there; the toggle now offers the waiver
        click("#nav-roles");
        wait.until(d -> "fast_approx".equals(selectedValue(d, WORKER + " select.preset-select")));
        click(WORKER + " input.approx-toggle");
        choose(WORKER + " select.waiver-select", "wv-console");
        waitText(WORKER + " .approx-waiver", "wv-console");
        wait.until(d -> d.findElement(By.cssSelector(WORKER + " input.approx-toggle")).isSelected());
        click(WORKER + " button.save-role");
        waitText("#roles-message", "Saved worker in profile " + PROFILE_ID);
        // the changes are the server's (model/JsonDiff in its work_profile_changed record), not the console's:
        // the worker had no compute, so the server names the member added as a whole
        JsonNode change = newestRecord("work_profile_changed");
        assertThat(Json.MAPPER.convertValue(change.path("changed_paths"), List.class))
                .containsExactly("/model_assignments/worker/compute");
        wait.until(d -> cellTexts("#changes-list .change-path").equals(List.of("/model_assignments/worker/compute")));
        waitText("#changes-list", "(absent) \u2192 {");
        waitText("#changes-list", "\"speed_preset\":\"fast_approx\"");
        waitText("[data-testid='audit-record']", change.path("event_id").asText());
        screenshot("04-roles-saved");

        JsonNode saved = pdp.get("/v1/profiles/" + PROFILE_ID).json().path("model_assignments").path("worker");
        assertThat(saved.path("compute").path("speed_preset").asText()).isEqualTo("fast_approx");
        assertThat(saved.path("compute").path("approximate").path("waiver_ref").asText()).isEqualTo("wv-console");

        // the runtime asks: approximate, under the waiver; the timeline shows it
        JsonNode granted = decide("worker", "model-worker");
        assertThat(granted.path("exactness").asText()).isEqualTo("approximate");
        assertThat(granted.path("waiver_ref").asText()).isEqualTo("wv-console");
        String grantedRow = decisionRow(granted);
        click("#nav-timeline");
        waitText(grantedRow + " td.effective", "layer_skip / approximate");
        assertThat(text(grantedRow + " td.requested")).isEqualTo("layer_skip / approximate");
        assertThat(text(grantedRow + " td.waiver")).isEqualTo("wv-console");
        assertThat(text(grantedRow + " td.role")).isEqualTo("worker");
        assertThat(text(grantedRow + " td.ruleset"))
                .isEqualTo(granted.path("ruleset").path("digest").asText().substring(0, 12));
        assertThat(driver.findElements(By.cssSelector(grantedRow + " .badge-downgraded"))).isEmpty();

        // its detail: the rule firings in order
        click(grantedRow);
        List<String> fired = new ArrayList<>();
        granted.path("ruleset").path("rules_fired").forEach(name -> fired.add(name.asText()));
        wait.until(d -> firedRuleNames().equals(fired));
        waitText("#detail-summary", "wv-console");
        screenshot("05-timeline-approximate");

        // the operator revokes the waiver
        click("#nav-waivers");
        type("tr[data-waiver-id='wv-console'] input.revoke-reason", "incident 42: quality regression");
        click("tr[data-waiver-id='wv-console'] button.revoke-waiver");
        waitText("tr[data-waiver-id='wv-console'] .status", "revoked");
        screenshot("06-waivers-revoked");

        // the next decision is downgraded; the timeline shows the badge and the reason
        JsonNode downgraded = decide("worker", "model-worker");
        assertThat(downgraded.path("downgraded").asBoolean()).isTrue();
        assertThat(downgraded.path("exactness").asText()).isEqualTo("exact");
        assertThat(downgraded.path("reason_codes").toString()).contains("WAIVER_REVOKED");
        String downgradedRow = decisionRow(downgraded);
        click("#nav-timeline");
        waitText(downgradedRow + " .badge-downgraded", "downgraded");
        assertThat(text(downgradedRow + " .downgrade-reason")).isEqualTo(downgraded.path("downgrade_reason").asText());
        assertThat(text(downgradedRow + " td.effective")).endsWith("/ exact");
        assertThat(text(downgradedRow + " .reason-codes")).contains("WAIVER_REVOKED");
        // newest first
        List<WebElement> rows = driver.findElements(By.cssSelector("#timeline-body tr.decision-row"));
        assertThat(rows.get(0).getAttribute("data-decision-id")).isEqualTo(downgraded.path("decision_id").asText());

        // downgraded only: the granted decision leaves the list
        click("#filter-downgraded");
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector(grantedRow), 0));
        waitVisible(By.cssSelector(downgradedRow));
        click(downgradedRow);
        List<String> firedWhenDowngraded = new ArrayList<>();
        downgraded.path("ruleset").path("rules_fired").forEach(name -> firedWhenDowngraded.add(name.asText()));
        wait.until(d -> firedRuleNames().equals(firedWhenDowngraded));
        waitText("#detail-summary", "WAIVER_REVOKED");
        screenshot("07-timeline-downgraded");
        assertNoScriptErrors();
    }

    @Test
    void a_decision_opens_under_its_row_with_what_the_runtime_did() {
        seedActiveProfile();
        ObjectNode waiver = waiver("wv-detail", "runtime evidence in the console");
        waiver.putObject("scope").putArray("roles").add("worker");
        assertThat(operatorPost("/v1/waivers", waiver).status()).isEqualTo(201);
        ObjectNode profile = (ObjectNode) pdp.get("/v1/profiles/" + PROFILE_ID).json();
        ObjectNode compute = ((ObjectNode) profile.path("model_assignments").path("worker")).putObject("compute");
        compute.put("speed_preset", "fast_approx");
        compute.putObject("approximate").put("allowed", true).put("waiver_ref", "wv-detail");
        assertThat(operatorPut("/v1/profiles/" + PROFILE_ID, profile).status()).isEqualTo(200);

        // the approximate decision, its trace and its report; then enough newer decisions to push its row far down
        JsonNode approximate = decide("worker", "model-worker");
        assertThat(approximate.path("exactness").asText()).isEqualTo("approximate");
        String id = approximate.path("decision_id").asText();
        RunningPdp.Reply uploaded = pdp.send(HttpRequest.newBuilder(
                        URI.create(pdp.baseUrl() + approximate.path("trace_artifact_ref").asText()))
                .header("content-type", "application/x-ndjson")
                .PUT(HttpRequest.BodyPublishers.ofString(SyntheticTrace.jsonl(SyntheticTrace.of(approximate, 3, "model-worker")))));
        assertThat(uploaded.status()).as(uploaded.body()).isIn(200, 201);
        RunningPdp.Reply reported = pdp.post("/v1/decisions/" + id + "/report", """
                {"mode": "%s", "exactness": "approximate", "token_count": 120,
                 "timings": {"total_ms": 950.5, "prefill_ms": 40, "decode_ms": 910.5},
                 "mean_exit_layer": 24.5, "exit_layer_histogram": {"12": 3, "30": 117},
                 "speculative": null, "offload": {"strategy": "kv_paged", "cpu_offload_bytes": 0, "disk_offload_bytes": 0}}"""
                .formatted(approximate.path("mode").asText()), token("runtime"));
        assertThat(reported.status()).as(reported.body()).isEqualTo(201);
        for (int i = 0; i < 40; i++) {
            decide("validator", "model-validator");
        }
        JsonNode view = pdp.get("/v1/decisions/" + id).json();
        assertThat(view.path("trace_status").asText()).isEqualTo("attached");
        String sha = view.path("trace_artifact_sha256").asText();
        assertThat(sha).hasSize(64);

        openConsoleWithToken(token("operator"));
        click("#nav-timeline");
        String row = decisionRow(approximate);
        waitVisible(By.cssSelector(row));
        assertThat(js("return document.querySelector(\"" + row + "\").getBoundingClientRect().top > innerHeight"))
                .as("the decision's row starts below the fold").isEqualTo(true);
        click(row);
        waitText("#decision-detail dd[data-field='trace-status']", "attached");
        assertThat(text("#decision-detail dd[data-field='trace-sha256']")).isEqualTo(sha);
        assertThat(text("#decision-detail dd[data-field='runtime-report']")).contains("120 token(s)")
                .contains(view.path("runtime_report").path("event_id").asText());
        assertThat(text("#decision-detail dd[data-field='violations']")).isEqualTo("none");
        // the detail is in the row right under the decision's, and on screen
        assertThat(js("return document.getElementById('detail-row').previousElementSibling.getAttribute('data-decision-id')"))
                .isEqualTo(id);
        String onScreen = "const r = document.getElementById('decision-detail').getBoundingClientRect();"
                + " return r.top >= 0 && r.top < innerHeight && r.height > 0";
        try {
            wait.until(d -> Boolean.TRUE.equals(js(onScreen)));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("the detail is off screen: " + js("const r = document.getElementById("
                    + "'decision-detail').getBoundingClientRect(); return [r.top, r.height, innerHeight, scrollY]"), e);
        }
        // a poll re-renders the rows: the detail stays under its row
        String updated = text("#timeline-updated");
        wait.until(d -> !text("#timeline-updated").equals(updated));
        assertThat(js("return document.getElementById('detail-row').previousElementSibling.getAttribute('data-decision-id')"))
                .isEqualTo(id);
        waitText("#decision-detail dd[data-field='trace-status']", "attached");
        screenshot("09-timeline-detail-runtime");

        // an exact decision without a trace or a report says so
        String exactRow = "#timeline-body tr.decision-row:not([data-decision-id='" + id + "'])";
        click(exactRow);
        waitText("#decision-detail dd[data-field='trace-status']", "none expected");
        assertThat(text("#decision-detail dd[data-field='trace-sha256']")).isEqualTo("\u2014");
        assertThat(text("#decision-detail dd[data-field='runtime-report']")).isEqualTo("none yet");
        assertThat(emptyStrips()).isEmpty();
        assertNoScriptErrors();
    }

    @Test
    void a_used_profile_is_changed_by_saving_a_new_profile_and_activating_it() {
        seedActiveProfile();
        decide("worker", "model-worker"); // the profile is used from now on: immutable (spec 4.3.7.1)
        openConsoleWithToken(token("operator"));
        waitVisible(By.cssSelector(WORKER));
        waitText("#profile-select", "used, read-only");

        choose(WORKER + " select.preset-select", "fast_exact");
        click(WORKER + " button.save-role");
        waitText("#roles-message", "Profile " + PROFILE_ID + " has been used by decisions and cannot change");
        waitText("#roles-message", "new profile " + PROFILE_ID + "-2, now active in place of " + PROFILE_ID);
        waitText("#active-profile", PROFILE_ID + "-2");
        // the server records the copy as a new profile: its diff names the whole document
        JsonNode change = newestRecord("work_profile_changed");
        assertThat(change.path("profile_id").asText()).isEqualTo(PROFILE_ID + "-2");
        assertThat(change.path("changed_paths").toString()).isEqualTo("[\"\"]");
        wait.until(d -> cellTexts("#changes-list .change-path").equals(List.of("(whole document)")));
        screenshot("08-used-profile-saved-as-new");

        JsonNode list = pdp.get("/v1/profiles").json();
        assertThat(list.path("active_profile_id").asText()).isEqualTo(PROFILE_ID + "-2");
        assertThat(pdp.get("/v1/profiles/" + PROFILE_ID).json().path("model_assignments").path("worker")
                .has("compute")).as("the used profile is unchanged").isFalse();
        assertThat(pdp.get("/v1/profiles/" + PROFILE_ID + "-2").json().path("model_assignments").path("worker")
                .path("compute").path("speed_preset").asText()).isEqualTo("fast_exact");
        // the next decision is made under the new profile: its worker compute is now the requested source
        assertThat(decide("worker", "model-worker").path("requested_source").asText()).isEqualTo("work_profile");
        assertNoScriptErrors();
    }

    @Test
    void a_refused_token_is_explained_and_another_can_be_entered() {
        seedActiveProfile();
        driver.get(pdp.baseUrl() + "/");
        type("#token-input", "not-a-token");
        click("#token-save");
        waitText("#token-message", "(401)");
        waitVisible(By.id("token-panel"));
        screenshot("token-1-unknown-token");

        // a runtime token reads, but cannot save a profile
        type("#token-input", token("runtime"));
        click("#token-save");
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("token-panel")));
        choose(WORKER + " select.preset-select", "fast_exact");
        click(WORKER + " button.save-role");
        waitText("#token-message", "(403)");
        waitText("#roles-message", "(403)");
        screenshot("token-2-wrong-scope");
        assertThat(pdp.get("/v1/profiles/" + PROFILE_ID).json().path("model_assignments").path("worker")
                .has("compute")).isFalse();

        // the operator's token: the unsaved change is still there and now saves
        type("#token-input", token("operator"));
        click("#token-save");
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("token-panel")));
        wait.until(d -> "fast_exact".equals(selectedValue(d, WORKER + " select.preset-select")));
        click(WORKER + " button.save-role");
        waitText("#roles-message", "Saved worker");
        wait.until(d -> cellTexts("#changes-list .change-path").equals(List.of("/model_assignments/worker/compute")));
        assertThat(pdp.get("/v1/profiles/" + PROFILE_ID).json().path("model_assignments").path("worker")
                .path("compute").path("speed_preset").asText()).isEqualTo("fast_exact");
        assertNoScriptErrors();
    }

    @Test
    void a_medium_waiver_is_pending_until_a_second_operator_approves_it_in_the_console() throws IOException {
        // a token file with a second operator, written before the server's first start
        pdp.close();
        Path data = RunningPdp.freshDataDir();
        ObjectNode file = Json.object();
        var tokens = file.putArray("tokens");
        for (String[] t : new String[][] {{"operator", "operator"}, {"second-operator", "operator"},
                {"runtime", "runtime"}, {"auditor", "auditor"}}) {
            tokens.addObject().put("name", t[0]).put("token", "pdp_" + t[0] + "_" + UUID.randomUUID())
                    .set("scopes", Json.array(List.of(t[1])));
        }
        Files.writeString(data.resolve("tokens.json"), file.toString());
        pdp = RunningPdp.start(data);
        ObjectNode medium = waiver("wv-medium", "a MEDIUM risk exception");
        medium.put("risk", "MEDIUM");
        assertThat(operatorPost("/v1/waivers", medium).status()).isEqualTo(201);

        openConsoleWithToken(token("operator"));
        click("#nav-waivers");
        String row = "tr[data-waiver-id='wv-medium']";
        waitText(row + " .status", "pending a second operator");
        assertThat(text(row + " td.risk")).isEqualTo("MEDIUM");
        waitText(row + " td.approval", "granted by operator");

        // the operator who granted it is refused in the server's words, and asked for another token
        click(row + " button.approve-waiver");
        waitText("#waivers-message", "second operator");
        waitText("#token-message", "(403)");
        assertThat(pdp.get("/v1/waivers/wv-medium").json().path("status").asText()).isEqualTo("pending");
        screenshot("waiver-1-same-operator-refused");

        type("#token-input", token("second-operator"));
        click("#token-save");
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("token-panel")));
        click(row + " button.approve-waiver");
        waitText("#waivers-message", "Approved waiver wv-medium as second-operator");
        waitText(row + " .status", "active");
        waitText(row + " td.approval", "approved by second-operator");
        assertThat(pdp.get("/v1/waivers/wv-medium").json().path("approved_by").asText()).isEqualTo("second-operator");
        screenshot("waiver-2-approved");
        assertNoScriptErrors();
    }

    @Test
    void a_waiver_revoked_before_the_save_is_refused_by_the_server_in_its_own_words() {
        seedActiveProfile();
        ObjectNode waiver = waiver("wv-race", "nightly batch");
        waiver.putObject("scope").putArray("roles").add("worker");
        assertThat(operatorPost("/v1/waivers", waiver).status()).isEqualTo(201);
        openConsoleWithToken(token("operator"));
        choose(WORKER + " select.preset-select", "fast_approx");
        click(WORKER + " input.approx-toggle");
        choose(WORKER + " select.waiver-select", "wv-race");
        waitText(WORKER + " .approx-waiver", "wv-race");

        // revoked behind the console's back: the server refuses the save and the console shows its words
        ObjectNode reason = Json.object();
        reason.put("reason", "revoked while the operator was editing");
        assertThat(operatorPost("/v1/waivers/wv-race/revoke", reason).status()).isEqualTo(200);
        click(WORKER + " button.save-role");
        waitText("#roles-message", "(422)");
        screenshot("roles-refused-by-server");

        // the same save through the API: the console showed that problem's detail and errors verbatim
        ObjectNode profile = (ObjectNode) pdp.get("/v1/profiles/" + PROFILE_ID).json();
        ObjectNode compute = ((ObjectNode) profile.path("model_assignments").path("worker")).putObject("compute");
        compute.put("speed_preset", "fast_approx");
        compute.putObject("approximate").put("allowed", true).put("waiver_ref", "wv-race");
        RunningPdp.Reply refused = operatorPut("/v1/profiles/" + PROFILE_ID, profile);
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(text("#roles-message .problem-detail")).endsWith(refused.json().path("detail").asText());
        List<String> errors = new ArrayList<>();
        refused.json().path("errors").forEach(e -> errors.add(e.path("path").asText() + ": " + e.path("message").asText()));
        assertThat(cellTexts("#roles-message .problem-errors li")).isEqualTo(errors);
        assertNoScriptErrors();
    }

    @Test
    void scripts_in_a_justification_or_a_role_id_are_shown_as_text() {
        String imgJustification = "<img src=x onerror=\"window.__xss=1\"> waiver for the summariser";
        String scriptRole = "<script>window.__xss=1</script>";
        // a dynamic role id is an identifier (openapi.yaml RegistryId), so markup can only reach the pages as a
        // waiver's scope role or a decision's role; the dynamic role saved through the console has a plain id
        String dynamicRole = "xss-reviewer";
        seedActiveProfile();
        ObjectNode waiver = waiver("wv-xss", imgJustification);
        waiver.putObject("scope").putArray("roles").add(scriptRole).add(dynamicRole);
        assertThat(operatorPost("/v1/waivers", waiver).status()).isEqualTo(201);
        ObjectNode scriptRoleBody = Json.object();
        scriptRoleBody.put("role_id", scriptRole);
        scriptRoleBody.put("inherits", "worker");
        assertThat(operatorPut("/v1/roles/" + URLEncoder.encode(scriptRole, StandardCharsets.UTF_8)
                .replace("+", "%20"), scriptRoleBody).status()).isEqualTo(400);
        ObjectNode role = Json.object();
        role.put("role_id", dynamicRole);
        role.put("inherits", "worker");
        assertThat(operatorPut("/v1/roles/" + dynamicRole, role).status()).isEqualTo(201);
        JsonNode decision = decide(scriptRole, "model-worker");

        openConsoleWithToken(token("operator"));
        wait.until(d -> cellTexts("#roles-body td.role-id").contains(dynamicRole));
        // the dynamic role can use the waiver scoped to it: choose it and save through PUT /v1/roles/{id}
        String rows = "#roles-body tr.role-row";
        wait.until(d -> {
            rowOf(rows, "td.role-id", dynamicRole).findElement(By.cssSelector("input.approx-toggle")).click();
            return true;
        });
        wait.until(d -> {
            new Select(rowOf(rows, "td.role-id", dynamicRole).findElement(By.cssSelector("select.waiver-select")))
                    .selectByValue("wv-xss");
            return true;
        });
        wait.until(d -> rowOf(rows, "td.role-id", dynamicRole).findElement(By.cssSelector(".approx-waiver")).getText()
                .contains("wv-xss"));
        wait.until(d -> {
            rowOf(rows, "td.role-id", dynamicRole).findElement(By.cssSelector("button.save-role")).click();
            return true;
        });
        waitText("#roles-message", "Saved " + dynamicRole);
        wait.until(d -> cellTexts("#changes-list .change-path").equals(List.of("/compute")));
        assertThat(newestRecord("dynamic_role_changed").path("changed_paths").toString()).isEqualTo("[\"/compute\"]");
        screenshot("xss-1-roles");

        click("#nav-waivers");
        wait.until(d -> cellTexts("#waivers-body td.justification").contains(imgJustification));
        assertThat(cellTexts("#waivers-body td.scope")).anySatisfy(scope -> assertThat(scope).contains(scriptRole));
        screenshot("xss-2-waivers");

        click("#nav-timeline");
        waitVisible(By.cssSelector(decisionRow(decision)));
        assertThat(text(decisionRow(decision) + " td.role")).isEqualTo(scriptRole);
        screenshot("xss-3-timeline");

        JavascriptExecutor js = (JavascriptExecutor) driver;
        assertThat(js.executeScript("return typeof window.__xss")).isEqualTo("undefined");
        assertThat(js.executeScript("return document.querySelectorAll('img').length")).isEqualTo(0L);
        assertThat(js.executeScript("return document.querySelectorAll('script').length")).isEqualTo(1L);
        assertNoScriptErrors();
    }

    // ---------- the PDP over HTTP ----------

    private String token(String name) {
        Path file = pdp.dataDir().resolve("tokens.json");
        assertThat(file).as("the server writes DATA/tokens.json on first start").exists();
        try {
            for (JsonNode entry : Json.MAPPER.readTree(file.toFile()).path("tokens")) {
                if (name.equals(entry.path("name").asText())) {
                    return entry.path("token").asText();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError(file + " has no token named " + name);
    }

    private RunningPdp.Reply operatorPut(String path, ObjectNode body) {
        return pdp.send(HttpRequest.newBuilder(URI.create(pdp.baseUrl() + path))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + token("operator"))
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    private RunningPdp.Reply operatorPost(String path, ObjectNode body) {
        return pdp.send(HttpRequest.newBuilder(URI.create(pdp.baseUrl() + path))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + token("operator"))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    private java.net.http.HttpResponse<String> rawGet(String path) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(pdp.baseUrl() + path)).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A profile with the four core roles (model-ROLE each, nothing approximate), saved and activated. */
    private void seedActiveProfile() {
        ObjectNode profile = Json.object();
        profile.put("schema_version", "hsk.work_profile@0.6");
        profile.put("profile_id", PROFILE_ID);
        profile.put("name", "Console test profile");
        profile.putObject("governance").put("automation_level", "HYBRID").put("allow_cloud_escalation", false);
        ObjectNode assignments = profile.putObject("model_assignments");
        for (String role : List.of("frontend", "orchestrator", "worker", "validator")) {
            ObjectNode assignment = assignments.putObject(role);
            assignment.put("primary_model_id", "model-" + role);
            assignment.put("local_only", true);
        }
        RunningPdp.Reply saved = operatorPut("/v1/profiles/" + PROFILE_ID, profile);
        assertThat(saved.status()).as(saved.body()).isEqualTo(201);
        RunningPdp.Reply activated = operatorPost("/v1/profiles/" + PROFILE_ID + "/activate", Json.object());
        assertThat(activated.status()).as(activated.body()).isEqualTo(200);
    }

    private static ObjectNode waiver(String waiverId, String justification) {
        ObjectNode waiver = Json.object();
        waiver.put("waiver_id", waiverId);
        waiver.put("check_waived", "approximate_execution");
        waiver.put("justification", justification);
        waiver.put("approver", "ops-lead");
        waiver.put("expires_at", Instant.now().plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS).toString());
        return waiver;
    }

    /** A runtime's decision request for the role, with the runtime token, no exec_policy of its own. */
    private JsonNode decide(String role, String modelId) {
        ObjectNode request = Json.object();
        request.put("trace_id", "trace-" + UUID.randomUUID().toString().substring(0, 8));
        request.put("role", role);
        request.put("task_type", "chat");
        request.put("model_id", modelId);
        request.put("backend", "local");
        RunningPdp.Reply reply = pdp.send(HttpRequest.newBuilder(URI.create(pdp.baseUrl() + "/v1/decisions"))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + token("runtime"))
                .POST(HttpRequest.BodyPublishers.ofString(request.toString())));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    // ---------- the browser ----------

    private void openConsoleWithToken(String token) {
        driver.get(pdp.baseUrl() + "/");
        waitVisible(By.id("token-panel"));
        screenshot("00-token");
        assertThat(emptyStrips()).as("message strips shown with nothing in them").isEmpty();
        type("#token-input", token);
        click("#token-save");
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("token-panel")));
        waitText("#token-status", "token set");
    }

    /** The console's ES modules, as the source tree has them. */
    private static List<String> consoleModules() {
        try (var files = Files.list(Path.of("src", "main", "resources", "console"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".js")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The newest Flight Recorder record of a type, read as the auditor would. */
    private JsonNode newestRecord(String type) {
        RunningPdp.Reply reply = pdp.send(HttpRequest.newBuilder(
                        URI.create(pdp.baseUrl() + "/v1/events?type=" + type + "&limit=1"))
                .header("authorization", "Bearer " + token("operator")).GET());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().path("items").path(0);
    }

    /** Message and problem strips on screen with no text in them (ids, or classes when they have none). */
    private List<?> emptyStrips() {
        return (List<?>) js("return Array.from(document.querySelectorAll('.message, .problem'))"
                + ".filter(e => e.getClientRects().length > 0 && e.textContent.trim() === '')"
                + ".map(e => e.id || e.className)");
    }

    private Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private static String decisionRow(JsonNode decision) {
        return "#timeline-body tr.decision-row[data-decision-id='" + decision.path("decision_id").asText() + "']";
    }

    private List<String> firedRuleNames() {
        List<String> names = new ArrayList<>();
        for (WebElement item : driver.findElements(By.cssSelector("#detail-firings li.firing.fired .rule-name"))) {
            names.add(item.getText());
        }
        return names;
    }

    private List<String> cellTexts(String css) {
        List<String> texts = new ArrayList<>();
        for (WebElement cell : driver.findElements(By.cssSelector(css))) {
            texts.add(cell.getText());
        }
        return texts;
    }

    /** The row whose cell {@code cellCss} reads exactly {@code text} (ids with any characters, no CSS escaping). */
    private WebElement rowOf(String rowCss, String cellCss, String text) {
        for (WebElement row : driver.findElements(By.cssSelector(rowCss))) {
            if (row.findElement(By.cssSelector(cellCss)).getText().equals(text)) {
                return row;
            }
        }
        throw new NoSuchElementException("no row " + rowCss + " with " + cellCss + " = " + text);
    }

    /** Chooses an option of a select, again if a re-render replaced the element meanwhile. */
    private void choose(String css, String value) {
        wait.until(d -> {
            new Select(d.findElement(By.cssSelector(css))).selectByValue(value);
            return true;
        });
    }

    private String chosen(String css) {
        return wait.until(d -> selectedValue(d, css));
    }

    private static String selectedValue(WebDriver driver, String css) {
        return new Select(driver.findElement(By.cssSelector(css))).getFirstSelectedOption().getAttribute("value");
    }

    private WebElement find(String css) {
        return wait.until(d -> d.findElement(By.cssSelector(css)));
    }

    private String text(String css) {
        return find(css).getText();
    }

    private WebElement waitVisible(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private void click(String css) {
        wait.until(d -> {
            d.findElement(By.cssSelector(css)).click();
            return true;
        });
    }

    private void type(String css, String value) {
        WebElement input = waitVisible(By.cssSelector(css));
        input.clear();
        input.sendKeys(value);
    }

    private void waitText(String css, String expected) {
        try {
            wait.until(d -> d.findElement(By.cssSelector(css)).getText().contains(expected));
        } catch (org.openqa.selenium.TimeoutException e) {
            screenshot("failed-waiting-for-" + css.replaceAll("[^A-Za-z0-9]+", "_"));
            List<WebElement> found = driver.findElements(By.cssSelector(css));
            throw new AssertionError("waited " + WAIT.toSeconds() + " s for '" + expected + "' in " + css + "; it reads: "
                    + (found.isEmpty() ? "(no such element)" : "'" + found.get(0).getText() + "'"), e);
        }
    }

    private void screenshot(String name) {
        try {
            Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** No script error and no Content-Security-Policy refusal in the page's console. */
    private void assertNoScriptErrors() {
        List<String> problems = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            String message = entry.getMessage();
            if (message.contains("Content Security Policy") || message.contains("Uncaught")) {
                problems.add(message);
            }
        }
        assertThat(problems).as("browser console").isEmpty();
    }
}
