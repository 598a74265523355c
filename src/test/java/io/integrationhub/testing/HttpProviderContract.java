package io.integrationhub.testing;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.integrationhub.delivery.CircuitBreakers;
import io.integrationhub.delivery.TransientDeliveryException;
import io.integrationhub.outbox.OutboxMessage;
import org.apache.camel.CamelExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.integrationhub.testing.ProviderStubs.answerInTurn;
import static io.integrationhub.testing.ProviderStubs.millisBetween;
import static io.integrationhub.testing.ProviderStubs.posts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every provider reached over HTTP must show, whatever its API: a provider test extends this class and plugs
 * in its fixtures (the hub's settings for it, the path its API answers on, its accepted answer, a message, its
 * documented refusals and its error bodies); its own exact-request tests stay in the subclass.
 *
 * <p>The contract, each behaviour against the provider played by WireMock: an accepted answer ends {@code sent}
 * with the provider's id after one request; each documented refusal ends {@code dead} after one request with the
 * reason (and the provider's error code) kept and no credential in it; 429 with {@code Retry-After: 1} is retried
 * no sooner than a second later; 500 then 503 are retried until accepted; a reset connection is retried; failures
 * beyond the retry schedule end {@code dead}; refused credentials (401, 403) never count against the circuit
 * breaker. Nothing the provider must keep secret, or the fixtures name as never to be logged, reaches a log.
 *
 * <p>One hub and one WireMock serve a class; WireMock and the breakers are reset before each test and each test
 * waits for its messages to settle. The breaker judges {@value #BREAKER_CALLS} calls, more than any one test
 * fails, so a test that wants it open must say so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class HttpProviderContract {

    /** Retries after the first attempt: the contract hub's retry schedule has this many waits. */
    protected static final int RETRIES = 3;
    protected static final String RETRY_SCHEDULE = "100ms, 200ms, 400ms";
    /** The breaker's window and minimum number of calls (failure rate threshold 50 %). */
    protected static final int BREAKER_CALLS = 6;
    protected static final Duration SETTLE = Duration.ofSeconds(20);

    /**
     * A documented answer of the provider and what the hub must keep of it: text the reason must contain, the
     * provider's error code ({@code providerErrorCode}, null when the provider has none) and text that must not
     * appear in the reason (numbers to mask).
     */
    public record ProviderAnswer(String name, ResponseDefinitionBuilder response, List<String> reason, String code,
                                 List<String> hidden) {

        public static ProviderAnswer of(String name, ResponseDefinitionBuilder response, String... reason) {
            return new ProviderAnswer(name, response, List.of(reason), null, List.of());
        }

        public ProviderAnswer withCode(String providerCode) {
            return new ProviderAnswer(name, response, reason, providerCode, hidden);
        }

        public ProviderAnswer hiding(String... texts) {
            return new ProviderAnswer(name, response, reason, code, List.of(texts));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    // ---- the fixtures a provider plugs in ----

    /** The channel the provider serves: {@code email}, {@code sms}. */
    protected abstract String channel();

    /** The provider's name in the hub: {@code email-sendgrid}, {@code sms-twilio}. */
    protected abstract String provider();

    /** The path the provider's API is POSTed to. */
    protected abstract String path();

    /** The hub's settings that make it use this provider at {@code baseUrl} (WireMock). */
    protected abstract Map<String, String> settings(String baseUrl);

    /** The credentials, as set and as sent: none may appear in a reason, an API answer or a log. */
    protected abstract List<String> secrets();

    /** Text never to be written to a log besides the secrets (such as the recipient's unmasked number). */
    protected List<String> neverLogged() {
        return List.of();
    }

    /** A plain message, the JSON body of {@code POST /api/v1/<channel>}. */
    protected abstract String message();

    /** The provider's answer accepting a message, with its id for the message. */
    protected abstract ResponseDefinitionBuilder accepted(String providerMessageId);

    /** The provider's documented refusals of a message: each is final. */
    protected abstract List<ProviderAnswer> refusals();

    /** The provider's refusal of the hub's credentials (401 or 403). */
    protected abstract ResponseDefinitionBuilder credentialsRefused(int status);

    /** The provider's rate-limit answer (429); the contract adds {@code Retry-After}. */
    protected abstract ResponseDefinitionBuilder tooManyRequests();

    /** The provider's answer to a failure of its own (500, 503), with the reason the hub must keep. */
    protected abstract ProviderAnswer serverError(int status);

    // ---- the hub and the provider played by WireMock ----

    protected WireMockServer wiremock;
    protected TestHub hub;
    protected LogCapture logs;

    @BeforeAll
    void startHubAndProvider(@TempDir Path data) {
        logs = LogCapture.attach();
        wiremock = ProviderStubs.start();
        Map<String, String> settings = new HashMap<>();
        settings.put("delivery.retry-schedule", RETRY_SCHEDULE);
        settings.put("breaker.sliding-window-size", String.valueOf(BREAKER_CALLS));
        settings.put("breaker.minimum-number-of-calls", String.valueOf(BREAKER_CALLS));
        settings.put("breaker.failure-rate-threshold", "50");
        settings.putAll(settings("http://localhost:" + wiremock.port()));
        hub = TestHub.start(data, settings);
    }

    @AfterAll
    void stopHubAndProvider() {
        try {
            if (hub != null) {
                hub.close();
            }
            if (wiremock != null) {
                wiremock.stop();
            }
            nothingSecretWasLogged();
        } finally {
            if (logs != null) {
                logs.close();
            }
        }
    }

    @BeforeEach
    void resetProviderAndBreakers() {
        wiremock.resetAll();
        CircuitBreakers.of(hub.context()).registry().getAllCircuitBreakers().forEach(CircuitBreaker::reset);
    }

    /** After each test, and after the hub stopped: what a test provoked may be logged a moment after it ends. */
    @AfterEach
    void nothingSecretWasLogged() {
        List<String> forbidden = new ArrayList<>(secrets());
        forbidden.addAll(neverLogged());
        List<String> leaked = logs.linesContainingAnyOf(forbidden);
        logs.clear();
        assertThat(leaked).as("log lines with a secret or an unmasked value").isEmpty();
    }

    // ---- the contract ----

    @Test
    void acceptedMessageIsSentWithTheProvidersIdAfterOneRequest() {
        answerInTurn(wiremock, path(), accepted("contract-accepted-1"));

        String id = accept(message());

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.provider()).isEqualTo(provider());
        assertThat(sent.providerMessageId()).isEqualTo("contract-accepted-1");
        assertThat(sent.attempts()).isEqualTo(1);
        wiremock.verify(1, postRequestedFor(urlEqualTo(path())));

        JsonNode view = view(id);
        assertThat(view.get("status").asText()).isEqualTo("sent");
        assertThat(view.get("provider").asText()).isEqualTo(provider());
        assertThat(view.get("providerMessageId").asText()).isEqualTo("contract-accepted-1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documentedRefusals")
    void documentedRefusalIsDeadAfterOneRequestWithTheReasonKept(ProviderAnswer refusal) {
        answerInTurn(wiremock, path(), refusal.response());

        String id = accept(message());

        OutboxMessage dead = hub.awaitStatus(id, OutboxMessage.DEAD, SETTLE);
        // dead is final: any retry would have come before it, so one request now means one request ever
        wiremock.verify(1, postRequestedFor(urlEqualTo(path())));
        assertThat(dead.attempts()).isEqualTo(1);
        assertThat(dead.provider()).isEqualTo(provider());
        assertThat(dead.lastError()).contains(refusal.reason());
        assertThat(dead.providerErrorCode()).isEqualTo(refusal.code());
        assertHidden(dead.lastError(), refusal);

        HttpResponse<String> response = hub.get("/api/v1/messages/" + id);
        JsonNode view = Json.parse(response.body());
        assertThat(view.get("status").asText()).isEqualTo("dead");
        assertThat(view.get("lastError").asText()).isEqualTo(dead.lastError());
        assertThat(view.get("providerErrorCode").isNull() ? null : view.get("providerErrorCode").asText())
                .isEqualTo(refusal.code());
        for (String secret : secrets()) {
            assertThat(response.body()).doesNotContain(secret);
        }
    }

    @Test
    void tooManyRequestsIsRetriedNoSoonerThanRetryAfterSays() {
        answerInTurn(wiremock, path(),
                tooManyRequests().withHeader("Retry-After", "1"),
                accepted("contract-after-429"));

        String id = accept(message());

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.providerMessageId()).isEqualTo("contract-after-429");
        assertThat(sent.attempts()).isEqualTo(2);
        wiremock.verify(2, postRequestedFor(urlEqualTo(path())));
        List<LoggedRequest> requests = posts(wiremock, path());
        // the schedule alone would wait 100 ms; Retry-After: 1 asks for a second, counted from the refused request
        // (the hub's own clock starts later still, once it has read the answer; the logged times have ms precision)
        assertThat(millisBetween(requests.get(0), requests.get(1))).isGreaterThanOrEqualTo(995)
                // and not the cap (delivery.maximum-retry-after-ms, 5 s in tests) or anything longer
                .isLessThan(4_500);
    }

    @Test
    void serverErrorsAreRetriedOnTheScheduleUntilAccepted() {
        answerInTurn(wiremock, path(),
                serverError(500).response(),
                serverError(503).response(),
                accepted("contract-after-5xx"));

        String id = accept(message());

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.provider()).isEqualTo(provider());
        assertThat(sent.providerMessageId()).isEqualTo("contract-after-5xx");
        assertThat(sent.attempts()).isEqualTo(3);
        wiremock.verify(3, postRequestedFor(urlEqualTo(path())));
        List<LoggedRequest> requests = posts(wiremock, path());
        // the retry schedule: at least 100 ms, then at least 200 ms
        assertThat(millisBetween(requests.get(0), requests.get(1))).isGreaterThanOrEqualTo(95);
        assertThat(millisBetween(requests.get(1), requests.get(2))).isGreaterThanOrEqualTo(195);
    }

    @Test
    void resetConnectionIsRetried() {
        answerInTurn(wiremock, path(),
                aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                accepted("contract-after-reset"));

        String id = accept(message());

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.providerMessageId()).isEqualTo("contract-after-reset");
        assertThat(sent.attempts()).isEqualTo(2);
        wiremock.verify(2, postRequestedFor(urlEqualTo(path())));
    }

    @Test
    void failuresBeyondTheRetryScheduleEndDeadWithTheReason() {
        ProviderAnswer failure = serverError(500);
        answerInTurn(wiremock, path(), failure.response());

        String id = accept(message());

        OutboxMessage dead = hub.awaitStatus(id, OutboxMessage.DEAD, SETTLE);
        wiremock.verify(1 + RETRIES, postRequestedFor(urlEqualTo(path())));
        assertThat(dead.attempts()).isEqualTo(1 + RETRIES);
        assertThat(dead.provider()).isEqualTo(provider());
        assertThat(dead.lastError()).contains("gave up after " + (1 + RETRIES) + " attempts").contains(failure.reason());

        JsonNode view = view(id);
        assertThat(view.get("status").asText()).isEqualTo("dead");
        assertThat(view.get("lastError").asText()).isEqualTo(dead.lastError());
    }

    @Test
    void refusedCredentialsDoNotCountAgainstTheCircuitBreaker() {
        // a full window of refusals, 401 for the first half and 403 for the rest: enough to open the breaker if
        // they counted (one answer per phase, not a sequence, which concurrent workers could race through)
        for (int status : new int[] {401, 403}) {
            wiremock.resetAll();
            answerInTurn(wiremock, path(), credentialsRefused(status));
            List<String> refused = new ArrayList<>();
            for (int i = 0; i < BREAKER_CALLS / 2; i++) {
                refused.add(accept(message()));
            }
            for (String id : refused) {
                OutboxMessage dead = hub.awaitStatus(id, OutboxMessage.DEAD, SETTLE);
                assertThat(dead.attempts()).isEqualTo(1);
                assertThat(dead.lastError()).contains("HTTP " + status);
            }
            wiremock.verify(BREAKER_CALLS / 2, postRequestedFor(urlEqualTo(path())));
        }

        // every refusal reached the provider and none counted: the breaker stayed closed
        assertThat(breaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breakerHealthMessage(hub)).contains(provider() + "=CLOSED");

        // while as many failures of the provider itself do open it
        breaker().reset();
        wiremock.resetAll();
        answerInTurn(wiremock, path(), serverError(503).response());
        for (int i = 0; i < BREAKER_CALLS; i++) {
            assertThatThrownBy(() -> hub.producer().requestBody("direct:send-" + channel(), message()))
                    .isInstanceOf(CamelExecutionException.class)
                    .hasCauseInstanceOf(TransientDeliveryException.class);
        }
        assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breakerHealthMessage(hub)).contains(provider() + "=OPEN");
    }

    // ---- helpers for the contract and its subclasses ----

    /** The refusals as test arguments. */
    Stream<ProviderAnswer> documentedRefusals() {
        return refusals().stream();
    }

    /** Accepts a message through {@code POST /api/v1/<channel>} and returns its id. */
    protected String accept(String json) {
        HttpResponse<String> response = hub.post("/api/v1/" + channel(), json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return Json.parse(response.body()).get("id").asText();
    }

    /** {@code GET /api/v1/messages/{id}}. */
    protected JsonNode view(String id) {
        HttpResponse<String> response = hub.get("/api/v1/messages/" + id);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.parse(response.body());
    }

    protected CircuitBreaker breaker() {
        return CircuitBreakers.of(hub.context()).find(provider()).orElseThrow();
    }

    /** The message of the hub's circuit-breakers health check ({@code sms-twilio=OPEN, ...}), read over HTTP. */
    protected static String breakerHealthMessage(TestHub hub) {
        HttpResponse<String> response = hub.get("/observe/health?data=true");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        for (JsonNode check : Json.parse(response.body()).get("checks")) {
            if (check.get("name").asText().equals("circuit-breakers")) {
                assertThat(check.get("status").asText()).isEqualTo("UP");
                return check.path("message").asText();
            }
        }
        throw new AssertionError("no circuit-breakers check in " + response.body());
    }

    /** The fields of a form-encoded body, each name with its values in the order sent. */
    protected static Map<String, List<String>> formFields(String body) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String name = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            fields.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return fields;
    }

    private void assertHidden(String lastError, ProviderAnswer answer) {
        for (String secret : secrets()) {
            assertThat(lastError).doesNotContain(secret);
        }
        for (String hidden : answer.hidden()) {
            assertThat(lastError).doesNotContain(hidden);
        }
    }
}
