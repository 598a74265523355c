package io.integrationhub.sms;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import io.integrationhub.api.Idempotency;
import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.testing.FakeTwilio;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/v1/sms} with an Idempotency-Key, retried 20 times at once (a client whose network hiccupped):
 * one message in the outbox, one request to Twilio, and the same 202 answer for every retry.
 */
class SmsIdempotencyTest {

    private static final int CONCURRENT = 20;
    private static final String TO = "+4915123456789";

    @TempDir
    static Path data;

    static WireMockServer twilio;
    static TestHub hub;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        twilio = FakeTwilio.start();
        twilio.stubFor(WireMock.post(urlEqualTo(FakeTwilio.PATH)).willReturn(FakeTwilio.queued("SMidempotent")));
        hub = TestHub.start(data, FakeTwilio.settings(twilio));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (twilio != null) {
            twilio.stop();
        }
    }

    @Test
    void twentyConcurrentRetriesMakeOneMessageOneTwilioRequestAndOneAnswer() throws Exception {
        // a few rounds, each with its own key: one lucky interleaving proves little
        for (int round = 0; round < 3; round++) {
            String marker = "sms-" + UUID.randomUUID();
            String key = "order-" + marker;
            List<HttpResponse<String>> responses = concurrently(CONCURRENT, key, sms(marker));

            HttpResponse<String> first = responses.get(0);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
            for (HttpResponse<String> response : responses) {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                assertThat(response.body()).isEqualTo(first.body());
            }
            List<OutboxMessage> stored = messagesWith(marker);
            assertThat(stored).as("round " + round).hasSize(1);
            String id = Json.parse(first.body()).get("id").asText();
            assertThat(stored.get(0).id()).isEqualTo(id);

            OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, Duration.ofSeconds(20));
            assertThat(sent.attempts()).isEqualTo(1);
            assertThat(sent.providerMessageId()).isEqualTo("SMidempotent");
            assertThat(FakeTwilio.requestsPerBody(twilio)).as("Twilio requests for round " + round)
                    .containsEntry(marker, 1);
        }
    }

    @Test
    void theKeyWithAnotherSmsIsRefused() {
        String marker = "sms-" + UUID.randomUUID();
        String key = "reuse-" + marker;
        HttpResponse<String> accepted = post(key, sms(marker));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

        HttpResponse<String> reused = post(key, sms(marker + " changed"));
        assertThat(reused.statusCode()).as(reused.body()).isEqualTo(422);
        assertThat(Json.parse(reused.body()).path("detail").asText()).contains("Idempotency-Key");
        assertThat(messagesWith(marker)).hasSize(1);
        assertThat(post(key, sms(marker)).body()).isEqualTo(accepted.body());
    }

    private static String sms(String body) {
        return "{\"to\": \"" + TO + "\", \"body\": \"" + body + "\"}";
    }

    /** The outbox messages whose payload contains the marker. */
    private static List<OutboxMessage> messagesWith(String marker) {
        List<OutboxMessage> found = new ArrayList<>();
        for (int offset = 0; ; offset += 100) {
            List<OutboxMessage> page = hub.outbox().list(null, "sms", null, 100, offset).items();
            page.stream().filter(m -> m.payload().contains(marker)).forEach(found::add);
            if (page.size() < 100) {
                return found;
            }
        }
    }

    private static HttpResponse<String> post(String key, String json) {
        HttpRequest request = HttpRequest.newBuilder(hub.uri("/api/v1/sms")).timeout(Duration.ofSeconds(30))
                .header("Authorization", TestHub.ADMIN).header("Content-Type", "application/json")
                .header(Idempotency.HEADER, key).POST(HttpRequest.BodyPublishers.ofString(json)).build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("no response from /api/v1/sms: " + e, e);
        }
    }

    /** The same request {@code times} times at once (released together by a barrier). */
    private static List<HttpResponse<String>> concurrently(int times, String key, String json) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(times);
        try {
            CyclicBarrier start = new CyclicBarrier(times);
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < times; i++) {
                futures.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return post(key, json);
                }));
            }
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) {
                responses.add(f.get(60, TimeUnit.SECONDS));
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }
}
