package io.integrationhub.email;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.ProviderStubs;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
 * Resend's emails API played by WireMock: the exact request (with the hub's message id as Idempotency-Key, the same
 * on every retry), the id of the 200 answer, and Resend's documented errors: 422 and 403 refuse the message at once,
 * 429 and 500 are retried. One hub serves the class; WireMock is reset before each test.
 */
class ResendEmailTest {

    static final String PATH = "/emails";
    static final String API_KEY = "re_test_key_not_a_secret";
    static final int MAX_REDELIVERIES = 3;
    static final Duration SETTLE = Duration.ofSeconds(15);

    @TempDir
    static Path data;

    static WireMockServer resend;
    static TestHub hub;

    @BeforeAll
    static void start() {
        resend = ProviderStubs.start();
        hub = TestHub.start(data, Map.of(
                "email.provider", "resend",
                "resend.base-url", "http://localhost:" + resend.port(),
                "resend.api-key", API_KEY,
                "delivery.retry-schedule", "100ms, 200ms, 400ms",
                // the breaker has its own test; here it must not open on the failures these tests provoke
                "breaker.sliding-window-size", "1000",
                "breaker.minimum-number-of-calls", "1000"));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (resend != null) {
            resend.stop();
        }
    }

    @BeforeEach
    void resetWireMock() {
        resend.resetAll();
    }

    @Test
    void postsTheDocumentedEmailsRequestWithIdempotencyKeyAndKeepsTheId() {
        answerInTurn(resend, PATH, ok("49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"));

        String id = accept("""
                {"from": "Shop <shop@example.com>", "to": ["ann@example.com", "Bob Smith <bob@example.com>"],
                 "cc": "carol@example.com", "bcc": [{"email": "dave@example.com", "name": "Dave"}],
                 "replyTo": "help@example.com", "subject": "Your order",
                 "text": "Plain body", "html": "<p>HTML body</p>",
                 "tags": ["receipt"], "metadata": {"orderId": "1234"}}""");

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.provider()).isEqualTo("email-resend");
        assertThat(sent.providerMessageId()).isEqualTo("49a3999c-0ce1-4ea6-ab68-afcd6dc2e794");
        assertThat(sent.attempts()).isEqualTo(1);

        resend.verify(1, postRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", equalTo("Bearer " + API_KEY))
                .withHeader("Content-Type", matching("application/json(;\\s*charset=(?i)utf-8)?"))
                .withHeader("Idempotency-Key", equalTo(id))
                .withRequestBody(equalToJson("""
                        {"from": "Shop <shop@example.com>",
                         "to": ["ann@example.com", "Bob Smith <bob@example.com>"],
                         "cc": ["carol@example.com"],
                         "bcc": ["Dave <dave@example.com>"],
                         "reply_to": "help@example.com",
                         "subject": "Your order",
                         "text": "Plain body",
                         "html": "<p>HTML body</p>",
                         "tags": [{"name": "receipt", "value": "true"}, {"name": "orderId", "value": "1234"}]}""")));
        assertThat(resend.getAllServeEvents()).hasSize(1);
        assertThat(posts(resend, PATH).get(0).getHeaders().keys()).noneMatch(h -> h.startsWith("Camel"));

        JsonNode view = Json.parse(hub.get("/api/v1/messages/" + id).body());
        assertThat(view.get("status").asText()).isEqualTo("sent");
        assertThat(view.get("provider").asText()).isEqualTo("email-resend");
        assertThat(view.get("providerMessageId").asText()).isEqualTo("49a3999c-0ce1-4ea6-ab68-afcd6dc2e794");
    }

    @ParameterizedTest(name = "HTTP {0} {1}")
    @CsvSource({
            "422, validation_error, The `to` field must be a valid email address",
            "403, validation_error, The example.com domain is not verified",
            "401, missing_api_key, Missing API key in the authorization header"})
    void documentedRefusalIsDeadAtOnceWithOneRequest(int status, String name, String message) {
        answerInTurn(resend, PATH, aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"statusCode\": " + status + ", \"name\": \"" + name + "\", \"message\": \"" + message + "\"}"));

        String id = accept(simpleEmail());

        OutboxMessage dead = hub.awaitStatus(id, OutboxMessage.DEAD, SETTLE);
        // dead is final: any retry would have happened before it, so one request now means one request ever
        resend.verify(1, postRequestedFor(urlEqualTo(PATH)));
        assertThat(dead.attempts()).isEqualTo(1);
        assertThat(dead.provider()).isEqualTo("email-resend");
        assertThat(dead.lastError()).contains("HTTP " + status).contains(name).doesNotContain(API_KEY);
    }

    @Test
    void rateLimitIsRetriedWithTheSameIdempotencyKey() {
        answerInTurn(resend, PATH,
                aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                        .withBody("{\"statusCode\": 429, \"name\": \"rate_limit_exceeded\", \"message\": \"Too many requests\"}"),
                ok("re-after-429"));

        String id = accept(simpleEmail());

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.providerMessageId()).isEqualTo("re-after-429");
        assertThat(sent.attempts()).isEqualTo(2);
        resend.verify(2, postRequestedFor(urlEqualTo(PATH)).withHeader("Idempotency-Key", equalTo(id)));
    }

    @Test
    void serverErrorIsRetriedWithTheSameIdempotencyKey() {
        answerInTurn(resend, PATH,
                aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                        .withBody("{\"statusCode\": 500, \"name\": \"internal_server_error\", \"message\": \"Unexpected error\"}"),
                ok("re-after-500"));

        String id = accept(simpleEmail());

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.providerMessageId()).isEqualTo("re-after-500");
        assertThat(sent.attempts()).isEqualTo(2);
        resend.verify(2, postRequestedFor(urlEqualTo(PATH)).withHeader("Idempotency-Key", equalTo(id)));
        List<LoggedRequest> requests = posts(resend, PATH);
        assertThat(requests.get(1).getBodyAsString()).isEqualTo(requests.get(0).getBodyAsString());
    }

    @Test
    void persistentServerErrorEndsDeadAfterTheConfiguredRetries() {
        answerInTurn(resend, PATH, aResponse().withStatus(500)
                .withBody("{\"statusCode\": 500, \"name\": \"application_error\", \"message\": \"Unexpected error\"}"));

        String id = accept(simpleEmail());

        OutboxMessage dead = hub.awaitStatus(id, OutboxMessage.DEAD, SETTLE);
        resend.verify(1 + MAX_REDELIVERIES, postRequestedFor(urlEqualTo(PATH)));
        assertThat(dead.attempts()).isEqualTo(1 + MAX_REDELIVERIES);
        assertThat(dead.lastError()).contains("HTTP 500").contains("application_error");
    }

    private static ResponseDefinitionBuilder ok(String resendId) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"id\": \"" + resendId + "\"}");
    }

    private static String accept(String json) {
        var response = hub.post("/api/v1/email", json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return Json.parse(response.body()).get("id").asText();
    }

    private static String simpleEmail() {
        return """
                {"to": "ann@example.com", "subject": "Hello", "text": "Hi Ann"}""";
    }
}
