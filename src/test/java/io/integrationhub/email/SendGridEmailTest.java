package io.integrationhub.email;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
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
import org.junit.jupiter.params.provider.ValueSource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.integrationhub.testing.ProviderStubs.answerInTurn;
import static io.integrationhub.testing.ProviderStubs.millisBetween;
import static io.integrationhub.testing.ProviderStubs.posts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SendGrid's v3 Mail Send API played by WireMock: the exact request the hub makes, and how each documented answer
 * (202, 4xx refusals, 429 with Retry-After, 5xx, a dropped connection) ends for the message in the outbox.
 * One hub serves the class; WireMock is reset before each test and every test waits for its message to settle.
 */
class SendGridEmailTest {

    static final String PATH = "/v3/mail/send";
    static final String API_KEY = "test-sendgrid-key-not-a-secret";
    static final int MAX_REDELIVERIES = 3;
    static final Duration SETTLE = Duration.ofSeconds(15);

    @TempDir
    static Path data;

    static WireMockServer sendgrid;
    static TestHub hub;

    @BeforeAll
    static void start() {
        sendgrid = ProviderStubs.start();
        hub = TestHub.start(data, Map.of(
                "email.provider", "sendgrid",
                "sendgrid.base-url", "http://localhost:" + sendgrid.port(),
                "sendgrid.api-key", API_KEY,
                // MAX_REDELIVERIES retries
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
        if (sendgrid != null) {
            sendgrid.stop();
        }
    }

    @BeforeEach
    void resetWireMock() {
        sendgrid.resetAll();
    }

    @Test
    void postsTheDocumentedMailSendRequestAndKeepsTheMessageId() {
        answerInTurn(sendgrid, PATH, aResponse().withStatus(202).withHeader("X-Message-Id", "sg-msg-0001"));

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

        sendgrid.verify(1, postRequestedFor(urlEqualTo(PATH))
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
        assertThat(sendgrid.getAllServeEvents()).hasSize(1);

        // nothing of the hub's own travels as a header: no exchange headers, no API key of the caller
        LoggedRequest request = posts(sendgrid, PATH).get(0);
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

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {400, 401, 403})
    void refusalIsDeadAtOnceWithOneRequest(int status) {
        answerInTurn(sendgrid, PATH, aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"errors\": [{\"message\": \"refused with " + status + "\", \"field\": null}]}"));

        String id = accept(simpleEmail());

        OutboxMessage dead = hub.awaitStatus(id, OutboxMessage.DEAD, SETTLE);
        // dead is final: any retry would have happened before it, so one request now means one request ever
        sendgrid.verify(1, postRequestedFor(urlEqualTo(PATH)));
        assertThat(dead.attempts()).isEqualTo(1);
        assertThat(dead.provider()).isEqualTo("email-sendgrid");
        assertThat(dead.lastError()).contains("HTTP " + status).contains("refused with " + status)
                .doesNotContain(API_KEY);
    }

    @Test
    void tooManyRequestsWaitsTheRetryAfterThenSends() {
        answerInTurn(sendgrid, PATH,
                aResponse().withStatus(429).withHeader("Retry-After", "1"),
                aResponse().withStatus(202).withHeader("X-Message-Id", "sg-after-429"));

        String id = accept(simpleEmail());

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.providerMessageId()).isEqualTo("sg-after-429");
        assertThat(sent.attempts()).isEqualTo(2);
        sendgrid.verify(2, postRequestedFor(urlEqualTo(PATH)));
        List<LoggedRequest> requests = posts(sendgrid, PATH);
        // the backoff alone would wait 100 ms; Retry-After: 1 asks for a second
        assertThat(millisBetween(requests.get(0), requests.get(1))).isBetween(950L, 2_900L);
    }

    @Test
    void serverErrorsAreRetriedWithGrowingBackoff() {
        answerInTurn(sendgrid, PATH,
                aResponse().withStatus(500),
                aResponse().withStatus(503),
                aResponse().withStatus(202).withHeader("X-Message-Id", "sg-after-5xx"));

        String id = accept(simpleEmail());

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.providerMessageId()).isEqualTo("sg-after-5xx");
        assertThat(sent.attempts()).isEqualTo(3);
        sendgrid.verify(3, postRequestedFor(urlEqualTo(PATH)));
        List<LoggedRequest> requests = posts(sendgrid, PATH);
        // the retry schedule: at least 100 ms, then at least 200 ms
        assertThat(millisBetween(requests.get(0), requests.get(1))).isGreaterThanOrEqualTo(95);
        assertThat(millisBetween(requests.get(1), requests.get(2))).isGreaterThanOrEqualTo(195);
    }

    @Test
    void connectionResetIsRetried() {
        answerInTurn(sendgrid, PATH,
                aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                aResponse().withStatus(202).withHeader("X-Message-Id", "sg-after-reset"));

        String id = accept(simpleEmail());

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.providerMessageId()).isEqualTo("sg-after-reset");
        assertThat(sent.attempts()).isEqualTo(2);
        sendgrid.verify(2, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void exhaustedRetriesMakeTheMessageDeadWithTheReason() {
        answerInTurn(sendgrid, PATH, aResponse().withStatus(500).withBody("upstream broke"));

        String id = accept(simpleEmail());

        OutboxMessage dead = hub.awaitStatus(id, OutboxMessage.DEAD, SETTLE);
        sendgrid.verify(1 + MAX_REDELIVERIES, postRequestedFor(urlEqualTo(PATH)));
        assertThat(dead.attempts()).isEqualTo(1 + MAX_REDELIVERIES);
        assertThat(dead.provider()).isEqualTo("email-sendgrid");
        assertThat(dead.lastError()).contains("HTTP 500").contains("upstream broke");

        JsonNode view = Json.parse(hub.get("/api/v1/messages/" + id).body());
        assertThat(view.get("status").asText()).isEqualTo("dead");
        assertThat(view.get("lastError").asText()).contains("HTTP 500");
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
