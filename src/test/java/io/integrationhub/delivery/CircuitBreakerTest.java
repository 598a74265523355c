package io.integrationhub.delivery;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import io.integrationhub.channel.ChannelRoutes;
import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.ProviderStubs;
import io.integrationhub.testing.TestHub;
import org.apache.camel.CamelExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.github.resilience4j.circuitbreaker.CircuitBreaker.StateTransition.CLOSED_TO_OPEN;
import static io.github.resilience4j.circuitbreaker.CircuitBreaker.StateTransition.HALF_OPEN_TO_CLOSED;
import static io.github.resilience4j.circuitbreaker.CircuitBreaker.StateTransition.OPEN_TO_HALF_OPEN;
import static io.integrationhub.testing.ProviderStubs.answerInTurn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The circuit breaker of provider email-sendgrid, with SendGrid (and Resend as the fallback) played by WireMock:
 * it opens after the configured share of failures, fails fast without calling the provider while open (the outbox
 * waits without spending an attempt, or the fallback takes the message), lets one trial call through after the
 * wait and closes on its success. A refusal of one message (400) says nothing about the provider and never counts.
 */
class CircuitBreakerTest {

    static final String SENDGRID = "/v3/mail/send";
    static final String RESEND = "/emails";
    static final int WAIT_SECONDS = 2;
    static final Duration SETTLE = Duration.ofSeconds(10);

    @TempDir
    Path data;

    WireMockServer wiremock;
    TestHub hub;
    final List<CircuitBreakerOnStateTransitionEvent> transitions = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startWireMock() {
        wiremock = ProviderStubs.start();
    }

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        wiremock.stop();
    }

    @Test
    void opensFailsFastWithoutCallingTheProviderThenHalfOpensAndClosesOnSuccess() {
        start(Map.of());
        answerInTurn(wiremock, SENDGRID, aResponse().withStatus(500));

        // three failures in a window of three: 100 % >= 50 %
        List<String> failing = List.of(accept(), accept(), accept());
        for (String id : failing) {
            OutboxMessage dead = hub.awaitStatus(id, OutboxMessage.DEAD, SETTLE);
            assertThat(dead.lastError()).contains("HTTP 500");
            assertThat(dead.attempts()).isEqualTo(1);
        }
        wiremock.verify(3, postRequestedFor(urlEqualTo(SENDGRID)));
        assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breakerHealth()).containsEntry("email-sendgrid", "OPEN");

        // the provider has recovered, but the open breaker must not find out before its wait is over
        wiremock.resetAll();
        answerInTurn(wiremock, SENDGRID, aResponse().withStatus(202).withHeader("X-Message-Id", "sg-after-open"));

        // in the JVM: fails fast with ProviderUnavailableException, nothing reaches the provider
        assertThatThrownBy(() -> hub.producer().requestBody("direct:send-email",
                Map.of("to", "ann@example.com", "subject", "Hello", "text", "Hi Ann")))
                .isInstanceOf(CamelExecutionException.class)
                .hasCauseInstanceOf(ProviderUnavailableException.class);

        // through the outbox: the message waits (failed, due after the breaker's wait), no attempt spent
        Instant before = Instant.now();
        String waiting = accept();
        OutboxMessage postponed = hub.awaitStatus(waiting, OutboxMessage.FAILED, SETTLE);
        assertThat(postponed.attempts()).isZero();
        assertThat(postponed.lastError()).contains("circuit breaker open");
        assertThat(postponed.nextAttemptAt()).isAfter(Instant.now())
                .isAfterOrEqualTo(before.plusSeconds(WAIT_SECONDS).minusMillis(100));
        JsonNode view = Json.parse(hub.get("/api/v1/messages/" + waiting).body());
        assertThat(view.get("status").asText()).isEqualTo("failed");
        assertThat(view.get("nextAttemptAt").isNull()).isFalse();
        wiremock.verify(0, postRequestedFor(urlEqualTo(SENDGRID)));
        assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);

        // after the wait: half-open, the waiting message is the trial call, its success closes the breaker
        OutboxMessage sent = hub.awaitStatus(waiting, OutboxMessage.SENT, SETTLE);
        assertThat(sent.provider()).isEqualTo("email-sendgrid");
        assertThat(sent.providerMessageId()).isEqualTo("sg-after-open");
        assertThat(sent.attempts()).isEqualTo(1);
        wiremock.verify(1, postRequestedFor(urlEqualTo(SENDGRID)));
        await().atMost(SETTLE).until(() -> breaker().getState() == CircuitBreaker.State.CLOSED);
        assertThat(transitions).extracting(CircuitBreakerOnStateTransitionEvent::getStateTransition)
                .containsExactly(CLOSED_TO_OPEN, OPEN_TO_HALF_OPEN, HALF_OPEN_TO_CLOSED);
        Duration open = Duration.between(transitions.get(0).getCreationTime(), transitions.get(1).getCreationTime());
        assertThat(open).isGreaterThanOrEqualTo(Duration.ofSeconds(WAIT_SECONDS).minusMillis(50));
        assertThat(breakerHealth()).containsEntry("email-sendgrid", "CLOSED");
    }

    @Test
    void refusedMessagesDoNotCountAgainstTheProvider() {
        start(Map.of());
        answerInTurn(wiremock, SENDGRID, aResponse().withStatus(400)
                .withBody("{\"errors\": [{\"message\": \"Does not contain a valid address.\", \"field\": \"to\"}]}"));

        List<String> refused = List.of(accept(), accept(), accept(), accept(), accept(), accept());
        for (String id : refused) {
            assertThat(hub.awaitStatus(id, OutboxMessage.DEAD, SETTLE).lastError()).contains("HTTP 400");
        }
        // every one reached SendGrid: the breaker never stood in the way
        wiremock.verify(6, postRequestedFor(urlEqualTo(SENDGRID)));
        assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(transitions).isEmpty();

        // while the same breaker does open on failures of the provider itself
        wiremock.resetAll();
        answerInTurn(wiremock, SENDGRID, aResponse().withStatus(503));
        for (String id : List.of(accept(), accept(), accept())) {
            hub.awaitStatus(id, OutboxMessage.DEAD, SETTLE);
        }
        assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void fallsBackToResendWhileOpenAndReturnsToSendGridOnceItRecovers() {
        start(Map.of("email.fallback-provider", "resend",
                "resend.base-url", "http://localhost:" + wiremock.port(),
                "resend.api-key", "re_test_key_not_a_secret"));
        answerInTurn(wiremock, SENDGRID, aResponse().withStatus(500));
        answerInTurn(wiremock, RESEND, aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"id\": \"re-fallback\"}"));

        // a failing SendGrid is not a reason to use the fallback: the failure is reported (and counted)
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(this::sendInJvm).isInstanceOf(CamelExecutionException.class)
                    .hasCauseInstanceOf(TransientDeliveryException.class);
        }
        wiremock.verify(3, postRequestedFor(urlEqualTo(SENDGRID)));
        wiremock.verify(0, postRequestedFor(urlEqualTo(RESEND)));
        assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);

        // an open SendGrid is: the message goes through Resend, recorded as such
        String viaResend = accept();
        OutboxMessage sent = hub.awaitStatus(viaResend, OutboxMessage.SENT, SETTLE);
        assertThat(sent.provider()).isEqualTo("email-resend");
        assertThat(sent.providerMessageId()).isEqualTo("re-fallback");
        assertThat(sent.attempts()).isEqualTo(1);
        assertThat(sendInJvm()).isEqualTo(new DeliveryResult("email-resend", "re-fallback"));
        wiremock.verify(2, postRequestedFor(urlEqualTo(RESEND)));
        wiremock.verify(1, postRequestedFor(urlEqualTo(RESEND)).withHeader("Idempotency-Key", equalTo(viaResend)));
        wiremock.verify(3, postRequestedFor(urlEqualTo(SENDGRID)));

        // SendGrid recovers: after the wait the breaker lets a trial through, and traffic is back on SendGrid
        wiremock.resetAll();
        answerInTurn(wiremock, SENDGRID, aResponse().withStatus(202).withHeader("X-Message-Id", "sg-back"));
        answerInTurn(wiremock, RESEND, aResponse().withStatus(200).withBody("{\"id\": \"re-should-not-be-used\"}"));
        await().atMost(SETTLE).until(() -> breaker().getState() == CircuitBreaker.State.HALF_OPEN);

        String back = accept();
        OutboxMessage onSendGrid = hub.awaitStatus(back, OutboxMessage.SENT, SETTLE);
        assertThat(onSendGrid.provider()).isEqualTo("email-sendgrid");
        assertThat(onSendGrid.providerMessageId()).isEqualTo("sg-back");
        assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        String next = accept();
        assertThat(hub.awaitStatus(next, OutboxMessage.SENT, SETTLE).provider()).isEqualTo("email-sendgrid");
        wiremock.verify(2, postRequestedFor(urlEqualTo(SENDGRID)));
        wiremock.verify(0, postRequestedFor(urlEqualTo(RESEND)));
    }

    private void start(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "email.provider", "sendgrid",
                "sendgrid.base-url", "http://localhost:" + wiremock.port(),
                "sendgrid.api-key", "test-sendgrid-key-not-a-secret",
                "breaker.minimum-number-of-calls", "3",
                "breaker.sliding-window-size", "3",
                "breaker.failure-rate-threshold", "50",
                "breaker.wait-duration-in-open-state-seconds", String.valueOf(WAIT_SECONDS),
                "delivery.retry-schedule", "none"));
        settings.putAll(extra);
        hub = TestHub.start(data, settings);
        breaker().getEventPublisher().onStateTransition(transitions::add);
    }

    private CircuitBreaker breaker() {
        return CircuitBreakers.of(hub.context()).find("email-sendgrid").orElseThrow();
    }

    /** The details of the hub's circuit-breakers health check: provider name to state. */
    private Map<String, String> breakerHealth() {
        var response = hub.get("/observe/health?data=true");
        assertThat(response.statusCode()).isEqualTo(200);
        for (JsonNode check : Json.parse(response.body()).get("checks")) {
            if (check.get("name").asText().equals("circuit-breakers")) {
                assertThat(check.get("status").asText()).isEqualTo("UP");
                Map<String, String> states = new HashMap<>();
                check.path("data").fields().forEachRemaining(f -> states.put(f.getKey(), f.getValue().asText()));
                return states;
            }
        }
        throw new AssertionError("no circuit-breakers check in " + response.body());
    }

    private Object sendInJvm() {
        return hub.producer().requestBody("direct:send-email",
                Map.of("to", "ann@example.com", "subject", "Hello", "text", "Hi Ann"));
    }

    private String accept() {
        var response = hub.post("/api/v1/email", """
                {"to": "ann@example.com", "subject": "Hello", "text": "Hi Ann"}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return Json.parse(response.body()).get("id").asText();
    }
}
