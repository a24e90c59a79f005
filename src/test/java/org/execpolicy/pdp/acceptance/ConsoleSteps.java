package org.execpolicy.pdp.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.execpolicy.pdp.support.RunningPdp;

/** The operator console's static files as a browser loads them (features/operator_console.feature). */
public class ConsoleSteps {
    /** The headers of the last console file asked for (World.reply keeps no headers). */
    private static HttpHeaders headers;

    @When("^a browser asks the PDP for the console's \"([^\"]+)\"$")
    public void aBrowserAsksForTheConsoles(String file) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(Pdp.server().baseUrl() + "/" + file)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            headers = response.headers();
            World.reply = new RunningPdp.Reply(response.statusCode(),
                    headers.firstValue("content-type").orElse(""), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Then("^it is served as \"([^\"]+)\"$")
    public void itIsServedAs(String type) {
        assertThat(World.reply.status()).as(World.reply.body()).isEqualTo(200);
        assertThat(World.reply.contentType()).startsWith(type);
        assertThat(headers.firstValue("x-content-type-options")).hasValue("nosniff");
    }

    @Then("^its content security policy runs scripts of this origin only$")
    public void itsPolicyRunsScriptsOfThisOriginOnly() {
        String policy = headers.firstValue("content-security-policy").orElse("");
        assertThat(policy).contains("default-src 'self'").contains("script-src 'self';")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
    }
}
