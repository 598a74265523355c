package io.integrationhub.channel;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.integrationhub.api.ApiProblem;
import io.integrationhub.delivery.DeliveryResult;
import io.integrationhub.testing.FakeTwilio;
import io.integrationhub.testing.ProviderStubs;
import io.integrationhub.testing.TestHub;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Synchronous keyed sends ({@code direct:send-sms} with an {@code idempotencyKey}) hold no store connection while
 * the provider answers: twice as many slow sends as the pool has connections are all in flight at once, and the
 * health check (which needs a connection) still answers at once. One key sent concurrently reaches the provider
 * once; the others are told to come back (409 with Retry-After) or get the first result.
 */
class SyncSendPoolTest {

    private static final int POOL = 10;
    private static final int SENDS = 2 * POOL;
    private static final int PROVIDER_DELAY_MS = 2000;
    private static final Duration HEALTH_PROMPTLY = Duration.ofMillis(200);
    private static final String TO = "+447911123456";

    @TempDir
    static Path data;

    static WireMockServer twilio;
    static TestHub hub;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        twilio = FakeTwilio.start();
        Map<String, String> settings = new HashMap<>(FakeTwilio.settings(twilio));
        settings.put("db.pool-size", String.valueOf(POOL));
        // 20 sends at once must not wait for the throttle: it is not what is measured here
        settings.put("sms.twilio.rate", "1000");
        hub = TestHub.start(data, settings);
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

    @BeforeEach
    void reset() {
        twilio.resetAll();
    }

    @Test
    void twiceThePoolInSlowKeyedSendsAllCompleteWhileHealthAnswersAtOnce() throws Exception {
        twilio.stubFor(post(urlEqualTo(FakeTwilio.PATH)).willReturn(FakeTwilio.queued("SMslow")
                .withFixedDelay(PROVIDER_DELAY_MS)));
        // the first request of a fresh client pays for its connection: not what is measured
        assertThat(health().statusCode()).isEqualTo(200);
        String run = UUID.randomUUID().toString();

        ExecutorService pool = Executors.newFixedThreadPool(SENDS);
        try {
            CyclicBarrier together = new CyclicBarrier(SENDS);
            List<Future<Exchange>> sends = new ArrayList<>();
            for (int i = 0; i < SENDS; i++) {
                int n = i;
                sends.add(pool.submit(() -> {
                    together.await(10, TimeUnit.SECONDS);
                    return send("k-" + n + "-" + run, "send " + n);
                }));
            }

            // all twenty are at the provider at once: none waits for a store connection held by another
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> FakeTwilio.requests(twilio).size() == SENDS);
            List<Long> healthMillis = new ArrayList<>();
            for (int poll = 0; poll < 6; poll++) {
                long start = System.nanoTime();
                HttpResponse<String> health = health();
                healthMillis.add((System.nanoTime() - start) / 1_000_000);
                assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
                TestHub.sleep(100);
            }
            // every poll fell within the provider's delay: the sends were still in flight
            assertThat(sends).noneMatch(Future::isDone);
            long slowest = healthMillis.stream().mapToLong(Long::longValue).max().orElseThrow();
            System.out.printf("health while %d sends were in flight: %s ms%n", SENDS, healthMillis);
            assertThat(Duration.ofMillis(slowest)).as("slowest health answer").isLessThan(HEALTH_PROMPTLY);

            for (Future<Exchange> send : sends) {
                Exchange done = send.get(30, TimeUnit.SECONDS);
                assertThat(done.getException()).as("exception of a send").isNull();
                assertThat(done.getMessage().getBody()).isEqualTo(new DeliveryResult("sms-twilio", "SMslow"));
            }
        } finally {
            pool.shutdownNow();
        }
        List<LoggedRequest> requests = FakeTwilio.requests(twilio);
        assertThat(requests).hasSize(SENDS);
        assertThat(requests).extracting(r -> FakeTwilio.form(r).get("Body")).doesNotHaveDuplicates();
        // they overlapped: the last reached Twilio before the first was answered
        assertThat(ProviderStubs.millisBetween(requests.get(0), requests.get(SENDS - 1))).isLessThan(PROVIDER_DELAY_MS);
    }

    @Test
    void oneKeySentTenTimesAtOnceReachesTheProviderOnce() throws Exception {
        twilio.stubFor(post(urlEqualTo(FakeTwilio.PATH)).willReturn(FakeTwilio.queued("SMonce")
                .withFixedDelay(PROVIDER_DELAY_MS)));
        String key = "one-" + UUID.randomUUID();
        int times = 10;

        List<Exchange> exchanges = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(times);
        try {
            CyclicBarrier together = new CyclicBarrier(times);
            List<Future<Exchange>> sends = new ArrayList<>();
            for (int i = 0; i < times; i++) {
                sends.add(pool.submit(() -> {
                    together.await(10, TimeUnit.SECONDS);
                    return send(key, "only once");
                }));
            }
            for (Future<Exchange> send : sends) {
                exchanges.add(send.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }

        DeliveryResult first = new DeliveryResult("sms-twilio", "SMonce");
        int results = 0;
        for (Exchange e : exchanges) {
            if (e.getException() == null) {
                assertThat(e.getMessage().getBody()).isEqualTo(first);
                results++;
            } else {
                assertThat(e.getException()).isInstanceOf(ApiProblem.class);
                ApiProblem busy = (ApiProblem) e.getException();
                assertThat(busy.status()).as(busy.getMessage()).isEqualTo(409);
                assertThat(busy.retryAfter()).isNotNull().isPositive();
            }
        }
        System.out.printf("one key, %d sends at once: %d got the result, %d were told to come back%n", times, results,
                times - results);
        assertThat(results).as("sends that got the result").isGreaterThanOrEqualTo(1);
        assertThat(FakeTwilio.requests(twilio)).hasSize(1);

        // once completed, the key answers with the first result, without asking the provider again
        Exchange again = send(key, "only once");
        assertThat(again.getException()).isNull();
        assertThat(again.getMessage().getBody()).isEqualTo(first);
        assertThat(FakeTwilio.requests(twilio)).hasSize(1);

        // the key with another message is refused
        Exchange other = send(key, "another message");
        assertThat(other.getException()).isInstanceOf(ApiProblem.class);
        assertThat(((ApiProblem) other.getException()).status()).isEqualTo(422);
        assertThat(FakeTwilio.requests(twilio)).hasSize(1);
    }

    private static Exchange send(String key, String body) {
        return hub.producer().request("direct:send-sms", e -> {
            e.setProperty("idempotencyKey", key);
            e.getMessage().setBody(Map.of("to", TO, "body", body));
        });
    }

    private static HttpResponse<String> health() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(hub.uri("/observe/health")).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
