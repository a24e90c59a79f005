package org.execpolicy.pdp.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.util.ArrayList;
import java.util.List;

/** Bad input: what is refused, how the refusal reads (RFC 9457), and that nothing is kept. */
public class ProblemSteps {
    private static final String PROMPT = "Summarise the confidential merger memo for ACME";

    @When("^the runtime sends a decision request for role \"([^\"]+)\" that also carries the chat \"messages\"$")
    public void theRuntimeSendsMessages(String role) {
        ObjectNode request = Phrases.decisionRequest(role, "");
        request.putArray("messages").addObject().put("role", "user").put("content", PROMPT);
        World.decisionRequest = request;
        World.decision = null;
        // as a runtime on loopback does: no token
        World.reply = Pdp.server().post("/v1/decisions", request.toString(), null);
    }

    @Then("^it is refused with status (\\d+) as a problem$")
    public void itIsRefusedAsAProblem(int status) {
        assertThat(World.reply.status()).as("status of %s", World.reply.body()).isEqualTo(status);
        assertThat(World.reply.contentType()).startsWith("application/problem+json");
        JsonNode problem = World.reply.json();
        assertThat(problem.path("status").asInt()).as(problem.toString()).isEqualTo(status);
        assertThat(problem.path("title").asText("")).as(problem.toString()).isNotBlank();
        assertThat(problem.path("detail").asText("")).as(problem.toString()).isNotBlank();
        // SPEC 5 (v2): the runtime contract's error object reads message; it is the same text
        assertThat(problem.path("message").asText()).as(problem.toString()).isEqualTo(problem.path("detail").asText());
        assertThat(problem.path("error_type").asText()).as(problem.toString()).isEqualTo("invalid_request");
    }

    @Then("^the problem's detail mentions \"([^\"]+)\"$")
    public void theProblemsDetailMentions(String text) {
        assertThat(World.reply.json().path("detail").asText()).contains(text);
    }

    @Then("^the problem names the field \"([^\"]+)\"$")
    public void theProblemNamesTheField(String pointer) {
        JsonNode problem = World.reply.json();
        List<String> paths = new ArrayList<>();
        problem.path("errors").forEach(e -> paths.add(e.path("path").asText()));
        assertThat(paths).as("errors[].path of " + problem).contains(pointer);
    }

    @Then("^the problem does not repeat the prompt$")
    public void theProblemDoesNotRepeatThePrompt() {
        assertThat(World.reply.body()).doesNotContain(PROMPT);
    }
}
