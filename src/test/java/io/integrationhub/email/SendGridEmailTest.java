package io.integrationhub.email;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.testing.HttpProviderContract;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.integrationhub.testing.ProviderStubs.answerInTurn;
import static io.integrationhub.testing.ProviderStubs.posts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SendGrid's v3 Mail Send API played by WireMock: the HTTP provider contract ({@link HttpProviderContract}) with
 * SendGrid's answers (202 with {@code X-Message-Id}, {@code {"errors": [...]}} refusals), and the exact request
 * the hub makes.
 */
class SendGridEmailTest extends HttpProviderContract {

    static final String PATH = "/v3/mail/send";
    static final String API_KEY = "test-sendgrid-key-not-a-secret";

    @Override
    protected String channel() {
        return "email";
    }

    @Override
    protected String provider() {
        return "email-sendgrid";
    }

    @Override
    protected String path() {
        return PATH;
    }

    @Override
    protected Map<String, String> settings(String baseUrl) {
        return Map.of("email.provider", "sendgrid", "sendgrid.base-url", baseUrl, "sendgrid.api-key", API_KEY);
    }

    @Override
    protected List<String> secrets() {
        return List.of(API_KEY);
    }

    @Override
    protected String message() {
        return """
                {"to": "ann@example.com", "subject": "Hello", "text": "Hi Ann"}""";
    }

    @Override
    protected ResponseDefinitionBuilder accepted(String providerMessageId) {
        return aResponse().withStatus(202).withHeader("X-Message-Id", providerMessageId);
    }

    @Override
    protected List<ProviderAnswer> refusals() {
        return List.of(
                errors(400, "The from email does not contain a valid address.", "from.email"),
                errors(401, "The provided authorization grant is invalid, expired, or revoked", null),
                errors(403, "access forbidden", null),
                errors(413, "The JSON payload you have included in your request is too large.", null));
    }

    @Override
    protected ResponseDefinitionBuilder credentialsRefused(int status) {
        return errors(status, "The provided authorization grant is invalid, expired, or revoked", null).response();
    }

    @Override
    protected ResponseDefinitionBuilder tooManyRequests() {
        return errors(429, "too many requests", null).response();
    }

    @Override
    protected ProviderAnswer serverError(int status) {
        return ProviderAnswer.of("HTTP " + status, aResponse().withStatus(status).withBody("upstream broke"),
                "HTTP " + status, "upstream broke");
    }

    /** SendGrid's documented error body. */
    private static ProviderAnswer errors(int status, String message, String field) {
        return ProviderAnswer.of("HTTP " + status + " " + message, aResponse().withStatus(status)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"errors\": [{\"message\": \"" + message + "\", \"field\": "
                                + (field == null ? "null" : "\"" + field + "\"") + ", \"help\": null}]}"),
                "HTTP " + status, message);
    }

    @Test
    void postsTheDocumentedMailSendRequestAndKeepsTheMessageId() {
        answerInTurn(wiremock, PATH, aResponse().withStatus(202).withHeader("X-Message-Id", "sg-msg-0001"));

        String id = accept("""
                {"from": "Shop <shop@example.com>", "to": ["ann@example.com", "Bob Smith <bob@example.com>"],
                 "cc": "carol@example.com", "bcc": [{"email": "dave@example.com", "name": "Dave"}],
                 "replyTo": "Help Desk <help@example.com>", "subject": "Your order",
                 "text": "Plain body", "html": "<p>HTML body</p>",
                 "tags": ["orders", "receipt"], "metadata": {"orderId": "1234"}}""");

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.provider()).isEqualTo("email-sendgrid");
        assertThat(sent.providerMessageId()).isEqualTo("sg-msg-0001");
        assertThat(sent.attempts()).isEqualTo(1);

        wiremock.verify(1, postRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", equalTo("Bearer " + API_KEY))
                .withHeader("Content-Type", matching("application/json(;\\s*charset=(?i)utf-8)?"))
                .withRequestBody(equalToJson("""
                        {"personalizations": [{
                            "to": [{"email": "ann@example.com"}, {"email": "bob@example.com", "name": "Bob Smith"}],
                            "cc": [{"email": "carol@example.com"}],
                            "bcc": [{"email": "dave@example.com", "name": "Dave"}]}],
                         "from": {"email": "shop@example.com", "name": "Shop"},
                         "reply_to": {"email": "help@example.com", "name": "Help Desk"},
                         "subject": "Your order",
                         "content": [{"type": "text/plain", "value": "Plain body"},
                                     {"type": "text/html", "value": "<p>HTML body</p>"}],
                         "categories": ["orders", "receipt"],
                         "custom_args": {"orderId": "1234"}}""")));
        assertThat(wiremock.getAllServeEvents()).hasSize(1);

        // nothing of the hub's own travels as a header: no exchange headers, no API key of the caller
        LoggedRequest request = posts(wiremock, PATH).get(0);
        assertThat(request.getHeaders().keys()).noneMatch(h -> h.startsWith("Camel") || h.equalsIgnoreCase("hubEmail"));
        assertThat(request.getHeader("Authorization")).doesNotContain(TestHub.ADMIN_KEY);
        // and the content array is text/plain first, then text/html, as SendGrid requires
        JsonNode content = Json.parse(request.getBodyAsString()).get("content");
        assertThat(content.get(0).get("type").asText()).isEqualTo("text/plain");
        assertThat(content.get(1).get("type").asText()).isEqualTo("text/html");

        // the API shows the same outcome
        var view = hub.get("/api/v1/messages/" + id);
        assertThat(view.statusCode()).isEqualTo(200);
        JsonNode body = Json.parse(view.body());
        assertThat(body.get("status").asText()).isEqualTo("sent");
        assertThat(body.get("provider").asText()).isEqualTo("email-sendgrid");
        assertThat(body.get("providerMessageId").asText()).isEqualTo("sg-msg-0001");
    }

    @Test
    void anUnreachableProviderIsATransientFailureAndTheKeyStaysOffTheFailedExchange(@TempDir java.nio.file.Path own) {
        try (TestHub unreachable = TestHub.start(own, Map.of("email.provider", "sendgrid",
                "sendgrid.base-url", "http://127.0.0.1:" + TestHub.freePort(), "sendgrid.api-key", API_KEY))) {
            org.apache.camel.Exchange failed = unreachable.producer().request("direct:send-email", e -> e.getMessage()
                    .setBody(Map.of("to", "ann@example.com", "subject", "s", "text", "t")));

            assertThat(failed.getException()).isInstanceOf(io.integrationhub.delivery.TransientDeliveryException.class)
                    .hasMessageContaining("email-sendgrid").hasMessageNotContaining(API_KEY);
            assertThat(failed.getMessage().getHeader("Authorization")).isNull();
            assertThat(failed.getMessage().getHeaders().values()).noneMatch(v -> String.valueOf(v).contains(API_KEY));
        }
    }
}
