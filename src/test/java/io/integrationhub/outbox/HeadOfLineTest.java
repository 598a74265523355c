package io.integrationhub.outbox;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.integrationhub.testing.FakeTwilio;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.ProviderStubs;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.integrationhub.testing.ProviderStubs.answerInTurn;
import static io.integrationhub.testing.ProviderStubs.millisBetween;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No message waits behind another: an SMS that Twilio asks to come back in 3 s holds no worker while it waits, and
 * even a Twilio that is down altogether never delays email, because each channel has its own claimer and workers
 * and a retry waits in the outbox, not in a worker. "Within 1 s" is measured per message, from its acceptance
 * ({@code createdAt}, written in the accepting transaction) to the provider's acceptance ({@code sentAt}).
 */
class HeadOfLineTest {

    /** The promise: a message nothing is wrong with is sent within this long of its acceptance. */
    private static final Duration PROMPTLY = Duration.ofSeconds(1);
    private static final String HELD_BACK = "+447911123456";
    private static final String OTHER = "+33612345678";
    private static final String SENDGRID = "/v3/mail/send";
    private static final int EACH = 20;
    private static final int BATCH = 5;
    private static final Duration SETTLE = Duration.ofSeconds(20);

    @TempDir
    Path data;

    WireMockServer twilio;
    WireMockServer sendgrid;
    TestHub hub;

    @BeforeEach
    void startProviders() {
        twilio = FakeTwilio.start();
        sendgrid = ProviderStubs.start();
        answerInTurn(sendgrid, SENDGRID, aResponse().withStatus(202).withHeader("X-Message-Id", "sg-head-of-line"));
    }

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        twilio.stop();
        sendgrid.stop();
    }

    private void startHub(String twilioUrl, Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(FakeTwilio.settings(twilioUrl));
        settings.put("email.provider", "sendgrid");
        settings.put("sendgrid.base-url", "http://localhost:" + sendgrid.port());
        settings.put("sendgrid.api-key", "test-sendgrid-key-not-a-secret");
        settings.put("email.sendgrid.rate", "1000");
        // Retry-After 3 must be honoured as it is
        settings.put("delivery.maximum-retry-after-ms", "10000");
        settings.putAll(more);
        hub = TestHub.start(data, settings);
    }

    @Test
    void anSmsToldToComeBackIn3SecondsDelaysNoOtherMessage() throws Exception {
        startHub("http://localhost:" + twilio.port(), Map.of());
        String scenario = "held back";
        twilio.stubFor(post(urlEqualTo(FakeTwilio.PATH)).withRequestBody(FakeTwilio.to(HELD_BACK))
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("recovered")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3")
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"code\": 20429, \"message\": \"Too Many Requests\", \"status\": 429}")));
        twilio.stubFor(post(urlEqualTo(FakeTwilio.PATH)).withRequestBody(FakeTwilio.to(HELD_BACK))
                .inScenario(scenario).whenScenarioStateIs("recovered").willReturn(FakeTwilio.queued("SMheldback")));
        twilio.stubFor(post(urlEqualTo(FakeTwilio.PATH)).withRequestBody(FakeTwilio.to(OTHER))
                .willReturn(FakeTwilio.queued("SMother")));

        warmUp();

        String heldBack = acceptSms(HELD_BACK, "held back");
        OutboxMessage waiting = hub.awaitStatus(heldBack, OutboxMessage.FAILED, SETTLE);
        LoggedRequest firstAttempt = requestsTo(HELD_BACK).get(0);
        Instant firstAttemptAt = firstAttempt.getLoggedDate().toInstant();
        assertThat(waiting.lastError()).contains("HTTP 429");
        assertThat(waiting.nextAttemptAt()).isAfterOrEqualTo(firstAttemptAt.plusSeconds(3));

        // 20 emails and 20 other SMS, accepted after it: batches of five, email and SMS in turn, from four threads
        // (one request per message takes seconds on a loaded machine, and the 40 must be accepted well within the
        // 3 s the held-back SMS waits for the test to show that they do not wait behind it)
        List<String> others = acceptConcurrently(i -> i % 2 == 0
                ? batch("/api/v1/email", n -> email("ann@example.com", "email " + i + "-" + n))
                : batch("/api/v1/sms", n -> sms(OTHER, "other " + i + "-" + n)), 2 * EACH / BATCH);
        Instant allAccepted = Instant.now();
        List<OutboxMessage> sent = awaitAllSent(others);
        OutboxMessage meanwhile = hub.outbox().find(heldBack).orElseThrow();
        System.out.printf("first attempt of the held-back SMS at %s; 40 others accepted %d ms after it, all sent "
                        + "%d ms after it%n", firstAttemptAt, Duration.between(firstAttemptAt, allAccepted).toMillis(),
                Duration.between(firstAttemptAt, sent.stream().map(OutboxMessage::sentAt).max(Instant::compareTo)
                        .orElseThrow()).toMillis());

        // every other message went within a second of its acceptance ...
        assertSentPromptly(sent);
        assertThat(sent.stream().collect(Collectors.groupingBy(OutboxMessage::channel, Collectors.counting())))
                .isEqualTo(Map.of("email", (long) EACH, "sms", (long) EACH));
        // ... while the held-back SMS was still waiting for its Retry-After, its one attempt spent
        assertThat(meanwhile.status()).isEqualTo(OutboxMessage.FAILED);
        assertThat(meanwhile.attempts()).isEqualTo(1);
        assertThat(meanwhile.nextAttemptAt()).isAfterOrEqualTo(firstAttemptAt.plusSeconds(3));

        // then it goes, on its second request, no sooner than Twilio asked
        OutboxMessage heldBackSent = hub.awaitStatus(heldBack, OutboxMessage.SENT, SETTLE);
        assertThat(heldBackSent.attempts()).isEqualTo(2);
        assertThat(heldBackSent.providerMessageId()).isEqualTo("SMheldback");
        List<LoggedRequest> attempts = requestsTo(HELD_BACK);
        assertThat(attempts).hasSize(2);
        assertThat(millisBetween(attempts.get(0), attempts.get(1))).isGreaterThanOrEqualTo(3000);
        Instant secondAttemptAt = attempts.get(1).getLoggedDate().toInstant();
        assertThat(sent).allSatisfy(m -> assertThat(m.sentAt()).as("sent at of " + m.id()).isBefore(secondAttemptAt));
        assertThat(requestsTo(OTHER)).hasSize(EACH + 1);
        assertThat(ProviderStubs.posts(sendgrid, SENDGRID)).hasSize(EACH + 1);
    }

    /** How Twilio is down. */
    enum Outage {
        /** every request answered 503 */
        ANSWERS_503,
        /** nothing listens on Twilio's port */
        REFUSES_CONNECTIONS,
        /** requests hang (3 s) before a 503: every SMS worker is stuck in a call */
        HANGS
    }

    @ParameterizedTest
    @EnumSource(Outage.class)
    void aTwilioOutageNeverDelaysEmail(Outage outage) throws Exception {
        String twilioUrl = outage == Outage.REFUSES_CONNECTIONS
                ? "http://localhost:" + TestHub.freePort() : "http://localhost:" + twilio.port();
        // the SMS keep failing and are retried twice a second all through the test: the breaker is not allowed to
        // spare Twilio (or the hub's workers)
        startHub(twilioUrl, Map.of(
                "sms.retry-schedule", String.join(", ", java.util.Collections.nCopies(100, "500ms")),
                "breaker.sms-twilio.minimum-number-of-calls", "100000",
                "breaker.sms-twilio.sliding-window-size", "100000"));
        twilio.stubFor(post(urlEqualTo(FakeTwilio.PATH)).willReturn(aResponse().withStatus(503)
                .withFixedDelay(outage == Outage.HANGS ? 3000 : 0)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"code\": 20503, \"message\": \"Service Unavailable\", \"status\": 503}")));

        warmUpEmail();

        List<String> sms = acceptConcurrently(i -> sms(OTHER, "during the outage " + i), EACH);
        // the outage has every SMS worker busy before the first email is accepted
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(20)).until(() -> attemptsMade(sms) >= 4);

        List<String> emails = acceptConcurrently(i -> email("ann@example.com", "outage " + outage + " " + i), EACH);
        List<OutboxMessage> sent = awaitAllSent(emails);
        assertSentPromptly(sent);
        assertThat(ProviderStubs.posts(sendgrid, SENDGRID)).hasSize(EACH + 1);

        // and the outage lasted all along: no SMS got through, yet they were tried
        List<OutboxMessage> smsNow = sms.stream().map(id -> hub.outbox().find(id).orElseThrow()).toList();
        assertThat(smsNow).extracting(OutboxMessage::status).doesNotContain(OutboxMessage.SENT, OutboxMessage.DEAD);
        assertThat(attemptsMade(sms)).isGreaterThanOrEqualTo(4);
    }

    /**
     * One email and one SMS through the hub before the measurement: the first message of a fresh hub pays for class
     * loading and the first connection to its provider, which is not what the promise is about.
     */
    private void warmUp() {
        warmUpEmail();
        hub.awaitStatus(acceptSms(OTHER, "warm-up"), OutboxMessage.SENT, SETTLE);
    }

    private void warmUpEmail() {
        hub.awaitStatus(accept(email("ann@example.com", "warm-up")), OutboxMessage.SENT, SETTLE);
    }

    private List<OutboxMessage> awaitAllSent(List<String> ids) {
        List<OutboxMessage> sent = new ArrayList<>();
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            sent.clear();
            for (String id : ids) {
                OutboxMessage message = hub.outbox().find(id).orElseThrow();
                assertThat(message.status()).as("status of " + id + " (" + message.lastError() + ")")
                        .isEqualTo(OutboxMessage.SENT);
                sent.add(message);
            }
        });
        return sent;
    }

    private static void assertSentPromptly(List<OutboxMessage> sent) {
        Duration slowest = sent.stream().map(m -> Duration.between(m.createdAt(), m.sentAt()))
                .max(Duration::compareTo).orElseThrow();
        System.out.printf("%d messages: slowest from acceptance to sent %d ms%n", sent.size(), slowest.toMillis());
        assertThat(sent).allSatisfy(m -> assertThat(Duration.between(m.createdAt(), m.sentAt()))
                .as("%s %s from acceptance to sent", m.channel(), m.id()).isLessThan(PROMPTLY));
    }

    private int attemptsMade(List<String> ids) {
        return ids.stream().mapToInt(id -> hub.outbox().find(id).orElseThrow().attempts()).sum();
    }

    private List<LoggedRequest> requestsTo(String number) {
        return FakeTwilio.requests(twilio).stream()
                .filter(r -> number.equals(FakeTwilio.form(r).get("To"))).toList();
    }

    private record Request(String path, String json) {
    }

    private static Request sms(String to, String body) {
        return new Request("/api/v1/sms", "{\"to\": \"" + to + "\", \"body\": \"" + body + "\"}");
    }

    private static Request email(String to, String subject) {
        return new Request("/api/v1/email", "{\"to\": \"" + to + "\", \"subject\": \"" + subject + "\", \"text\": \"Hi\"}");
    }

    /** A request of {@link #BATCH} messages to {@code path}/batch. */
    private static Request batch(String path, java.util.function.IntFunction<Request> message) {
        StringBuilder messages = new StringBuilder();
        for (int n = 0; n < BATCH; n++) {
            messages.append(n == 0 ? "" : ", ").append(message.apply(n).json());
        }
        return new Request(path + "/batch", "{\"messages\": [" + messages + "]}");
    }

    private String acceptSms(String to, String body) {
        return accept(sms(to, body));
    }

    private String accept(Request request) {
        List<String> ids = acceptAll(request);
        assertThat(ids).hasSize(1);
        return ids.get(0);
    }

    /** The ids of the messages a request (one message, or a batch) made. */
    private List<String> acceptAll(Request request) {
        HttpResponse<String> response = hub.post(request.path(), request.json());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode body = Json.parse(response.body());
        if (!body.has("results")) {
            return List.of(body.get("id").asText());
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode result : body.get("results")) {
            assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("queued");
            ids.add(result.get("id").asText());
        }
        return ids;
    }

    /** Requests 0 .. n-1, posted from four threads; the ids of their messages in request order. */
    private List<String> acceptConcurrently(java.util.function.IntFunction<Request> request, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> posts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Request r = request.apply(i);
                posts.add(pool.submit(() -> acceptAll(r)));
            }
            List<String> ids = new ArrayList<>();
            for (Future<List<String>> post : posts) {
                ids.addAll(post.get(30, TimeUnit.SECONDS));
            }
            return ids;
        } finally {
            pool.shutdownNow();
        }
    }
}
