package io.integrationhub.outbox;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.integrationhub.testing.FakeTwilio;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every worker failing at the same moment, again and again: each failure is written back to the outbox on the
 * schedule, none is left leased and unhandled (which would hold its message until the lease ran out, 2 minutes).
 */
class ConcurrentFailuresTest {

    private static final int MESSAGES = 40;
    /** One attempt and two retries. */
    private static final int ATTEMPTS = 3;

    @TempDir
    Path data;

    WireMockServer twilio;
    TestHub hub;

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        if (twilio != null) {
            twilio.stop();
        }
    }

    @Test
    void everyConcurrentFailureIsRetriedOnScheduleAndEndsDead() {
        twilio = FakeTwilio.start();
        twilio.stubFor(post(urlEqualTo(FakeTwilio.PATH)).willReturn(aResponse().withStatus(503)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"code\": 20503, \"message\": \"Service Unavailable\", \"status\": 503}")));
        Map<String, String> settings = new HashMap<>(FakeTwilio.settings(twilio));
        settings.put("sms.retry-schedule", "50ms, 50ms");
        settings.put("breaker.sms-twilio.minimum-number-of-calls", "100000");
        settings.put("breaker.sms-twilio.sliding-window-size", "100000");
        hub = TestHub.start(data, settings);

        List<String> ids = new ArrayList<>();
        for (int batch = 0; batch < 2; batch++) {
            StringBuilder messages = new StringBuilder();
            for (int i = 0; i < MESSAGES / 2; i++) {
                messages.append(i == 0 ? "" : ", ").append("{\"to\": \"+33612345678\", \"body\": \"failing ")
                        .append(batch).append('-').append(i).append("\"}");
            }
            HttpResponse<String> accepted = hub.post("/api/v1/sms/batch", "{\"messages\": [" + messages + "]}");
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            for (JsonNode result : Json.parse(accepted.body()).get("results")) {
                ids.add(result.get("id").asText());
            }
        }

        // far less than the 120 s lease: a failure left unhandled would keep its message "sending" until then
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (String id : ids) {
                OutboxMessage message = hub.outbox().find(id).orElseThrow();
                assertThat(message.status()).as(id + " after " + message.attempts() + " attempts")
                        .isEqualTo(OutboxMessage.DEAD);
            }
        });
        for (String id : ids) {
            OutboxMessage dead = hub.outbox().find(id).orElseThrow();
            assertThat(dead.attempts()).isEqualTo(ATTEMPTS);
            assertThat(dead.lastError()).startsWith("gave up after 3 attempts").contains("HTTP 503");
        }
        assertThat(FakeTwilio.requests(twilio)).hasSize(MESSAGES * ATTEMPTS);
    }
}
