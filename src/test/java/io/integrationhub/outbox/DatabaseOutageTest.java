package io.integrationhub.outbox;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.LogCapture;
import io.integrationhub.testing.ProviderStubs;
import io.integrationhub.testing.TestHub;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL (started by the test on its own data directory and port) stops for 10 s in the middle of a steady load
 * of emails and starts again. Meanwhile no request waits for the pool's timeout: each is answered within about 3 s,
 * every refusal a 503 problem with Retry-After; readiness turns DOWN within about a second and liveness stays UP and
 * quick. Afterwards every accepted email reaches the provider (SendGrid, played by WireMock, a little slow so that
 * deliveries are in flight when the database goes away) exactly once: the sends the hub could not record during
 * the outage are recorded when the database returns, not sent again after their lease.
 */
class DatabaseOutageTest {

    private static final String PATH = "/v3/mail/send";
    private static final Pattern MARKER = Pattern.compile("outage-\\d{5}");
    private static final Duration LOAD = Duration.ofSeconds(20);
    private static final Duration OUTAGE_AFTER = Duration.ofSeconds(5);
    private static final Duration OUTAGE = Duration.ofSeconds(10);
    private static final int CLIENTS = 4;
    /** Each client sends one request every this often: 20 a second in all. */
    private static final Duration PACE = Duration.ofMillis(200);

    @TempDir
    Path dir;

    private EmbeddedPostgres postgres;
    private WireMockServer sendgrid;

    private record Answer(int status, long millis, String retryAfter, String contentType, String body, long at) {
    }

    private record LongSummary(long min, long max) {
        static LongSummary of(java.util.stream.LongStream values) {
            java.util.LongSummaryStatistics stats = values.summaryStatistics();
            return new LongSummary(stats.getMin(), stats.getMax());
        }
    }

    private record Probe(String path, int status, long millis, long at) {
    }

    @AfterEach
    void stop() throws Exception {
        if (sendgrid != null) {
            sendgrid.stop();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private EmbeddedPostgres startPostgres(int port) throws Exception {
        return EmbeddedPostgres.builder().setPort(port).setDataDirectory(dir.resolve("postgres"))
                .setCleanDataDirectory(false).start();
    }

    @Test
    void anOutageUnderLoadIsRefusedQuicklyAndEveryAcceptedEmailIsSentExactlyOnce() throws Exception {
        int pgPort = TestHub.freePort();
        postgres = startPostgres(pgPort);
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE outage");
        }
        String dbUrl = postgres.getJdbcUrl("postgres", "outage");
        sendgrid = ProviderStubs.start();
        sendgrid.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(202)
                .withHeader("X-Message-Id", "sg-outage").withFixedDelay(150)));
        Map<String, String> settings = new HashMap<>();
        settings.put("db.url", dbUrl);
        settings.put("email.provider", "sendgrid");
        settings.put("sendgrid.base-url", sendgrid.baseUrl());
        settings.put("sendgrid.api-key", "SG.outage-test-key");
        settings.put("email.sendgrid.rate", "1000");

        try (LogCapture log = LogCapture.attach(); TestHub hub = TestHub.start(dir.resolve("hub"), settings)) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            long t0 = System.nanoTime();
            Map<String, String> markerById = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Probe> probes = new ConcurrentLinkedQueue<>();
            AtomicInteger next = new AtomicInteger();
            AtomicBoolean loading = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
            List<Future<?>> tasks = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    tasks.add(pool.submit(() -> {
                        long due = System.nanoTime();
                        while (System.nanoTime() - t0 < LOAD.toNanos()) {
                            String marker = String.format("outage-%05d", next.getAndIncrement());
                            long start = System.nanoTime();
                            HttpResponse<String> response = http.send(HttpRequest.newBuilder(hub.uri("/api/v1/email"))
                                    .timeout(Duration.ofSeconds(15)).header("Authorization", TestHub.ADMIN)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"to\": \"ann@example.com\", "
                                            + "\"subject\": \"" + marker + "\", \"text\": \"steady load\"}"))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                            long end = System.nanoTime();
                            answers.add(new Answer(response.statusCode(), (end - start) / 1_000_000,
                                    response.headers().firstValue("Retry-After").orElse(null),
                                    response.headers().firstValue("Content-Type").orElse(null), response.body(),
                                    (start - t0) / 1_000_000));
                            if (response.statusCode() == 202) {
                                markerById.put(Json.parse(response.body()).get("id").asText(), marker);
                            }
                            due += PACE.toNanos();
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                TimeUnit.NANOSECONDS.sleep(wait);
                            }
                        }
                        return null;
                    }));
                }
                // readiness and liveness, asked in turn every 100 ms for as long as the load runs
                tasks.add(pool.submit(() -> {
                    while (loading.get()) {
                        for (String path : List.of("/observe/health/ready", "/observe/health/live")) {
                            long start = System.nanoTime();
                            HttpResponse<String> response = http.send(HttpRequest.newBuilder(hub.uri(path))
                                    .timeout(Duration.ofSeconds(15)).GET().build(), HttpResponse.BodyHandlers.ofString());
                            long end = System.nanoTime();
                            probes.add(new Probe(path, response.statusCode(), (end - start) / 1_000_000,
                                    (start - t0) / 1_000_000));
                        }
                        TimeUnit.MILLISECONDS.sleep(100);
                    }
                    return null;
                }));

                TimeUnit.NANOSECONDS.sleep(OUTAGE_AFTER.toNanos() - (System.nanoTime() - t0));
                // deliveries in flight when the database goes away, for sure: the provider answers slowly for a
                // moment, and the database stops once a call is being held
                int before = sendgrid.getAllServeEvents().size();
                sendgrid.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(202)
                        .withHeader("X-Message-Id", "sg-outage").withFixedDelay(2000)));
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                        .until(() -> sendgrid.getAllServeEvents().size() > before);
                postgres.close();
                postgres = null;
                sendgrid.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(202)
                        .withHeader("X-Message-Id", "sg-outage").withFixedDelay(150)));
                long down = (System.nanoTime() - t0) / 1_000_000;
                TimeUnit.NANOSECONDS.sleep(OUTAGE_AFTER.plus(OUTAGE).toNanos() - (System.nanoTime() - t0));
                long restarting = (System.nanoTime() - t0) / 1_000_000;
                postgres = startPostgres(pgPort);
                long up = (System.nanoTime() - t0) / 1_000_000;
                for (int i = 0; i < CLIENTS; i++) {
                    tasks.get(i).get(LOAD.toSeconds() + 30, TimeUnit.SECONDS);
                }
                loading.set(false);
                tasks.get(CLIENTS).get(30, TimeUnit.SECONDS);

                Map<Integer, Long> byStatus = new TreeMap<>();
                answers.forEach(a -> byStatus.merge(a.status(), 1L, Long::sum));
                long slowest = answers.stream().mapToLong(Answer::millis).max().orElse(0);
                System.out.printf("PostgreSQL stopped at %d ms, restarted at %d..%d ms; %d requests: %s; slowest %d ms%n",
                        down, restarting, up, answers.size(), byStatus, slowest);

                LongSummary refusals = LongSummary.of(answers.stream().filter(a -> a.status() == 503).mapToLong(Answer::at));
                System.out.printf("503s from %d to %d ms; answers over 1.5 s: %s%n", refusals.min(), refusals.max(),
                        answers.stream().filter(a -> a.millis() > 1500).map(a -> a.at() + "+" + a.millis() + ":" + a.status()).toList());
                // every request answered quickly: accepted, or refused with a 503 problem and Retry-After
                assertThat(answers.size()).as("requests made").isGreaterThan(200);
                for (Answer a : answers) {
                    assertThat(a.millis()).as("answer to a request at %d ms (%d)", a.at(), a.status())
                            .isLessThanOrEqualTo(3500);
                    assertThat(a.status()).as(a.body()).isIn(202, 503);
                    if (a.status() == 503) {
                        assertThat(a.retryAfter()).as("Retry-After of a 503").isNotNull();
                        assertThat(Integer.parseInt(a.retryAfter())).isPositive();
                        assertThat(a.contentType()).startsWith("application/problem+json");
                        assertThat(Json.parse(a.body()).get("status").asInt()).isEqualTo(503);
                    }
                }
                // the outage was felt, and the hub took requests before and after it
                assertThat(answers).anyMatch(a -> a.status() == 503);
                assertThat(answers).anyMatch(a -> a.status() == 202 && a.at() < down);
                assertThat(answers).anyMatch(a -> a.status() == 202 && a.at() > up + 1000);

                // readiness DOWN within about a second of the stop and for the rest of the outage; liveness UP and
                // quick throughout
                List<Probe> ready = probes.stream().filter(p -> p.path().endsWith("/ready")).toList();
                List<Probe> live = probes.stream().filter(p -> p.path().endsWith("/live")).toList();
                long firstDown = ready.stream().filter(p -> p.at() >= down && p.status() != 200)
                        .mapToLong(p -> p.at() + p.millis()).min().orElse(Long.MAX_VALUE);
                long slowestLive = live.stream().mapToLong(Probe::millis).max().orElse(0);
                System.out.printf("readiness DOWN %d ms after the stop; slowest liveness answer %d ms, readiness %d ms%n",
                        firstDown - down, slowestLive, ready.stream().mapToLong(Probe::millis).max().orElse(0));
                assertThat(firstDown - down).as("ms from the stop to readiness DOWN").isLessThanOrEqualTo(2000);
                assertThat(ready.stream().filter(p -> p.at() > firstDown + 100 && p.at() + p.millis() < restarting))
                        .as("readiness during the outage").isNotEmpty().allMatch(p -> p.status() == 503);
                assertThat(live.stream().filter(p -> p.at() > down && p.at() < restarting))
                        .as("liveness during the outage").isNotEmpty();
                assertThat(live).as("liveness, outage or not").allMatch(p -> p.status() == 200);
                assertThat(slowestLive).as("slowest liveness answer (ms)").isLessThanOrEqualTo(1000);
                assertThat(ready.stream().filter(p -> p.at() > up + 3000)).as("readiness after the outage")
                        .isNotEmpty().allMatch(p -> p.status() == 200);
            } finally {
                loading.set(false);
                pool.shutdownNow();
            }

            // afterwards every accepted email is sent, each exactly once, and none of them as a resend
            // (a request refused while its commit was under way may still have been stored: sent, though never
            // acknowledged, so the outbox may hold more than the 202s)
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                Map<String, Long> counts = statusCounts(dbUrl);
                assertThat(counts.keySet()).as("outbox " + counts).containsExactly(OutboxMessage.SENT);
                assertThat(counts.get(OutboxMessage.SENT)).isGreaterThanOrEqualTo(markerById.size());
                assertThat(hub.context().getInflightRepository().size("outbox-deliver-email")).isZero();
            });
            Map<String, Integer> received = new TreeMap<>();
            for (LoggedRequest request : ProviderStubs.posts(sendgrid, PATH)) {
                Matcher m = MARKER.matcher(request.getBodyAsString());
                assertThat(m.find()).as(request.getBodyAsString()).isTrue();
                received.merge(m.group(), 1, Integer::sum);
            }
            Map<String, Integer> duplicates = new TreeMap<>(received);
            duplicates.values().removeIf(n -> n == 1);
            UnrecordedOutcomes outcomes = hub.context().getRegistry()
                    .lookupByNameAndType("hubUnrecordedOutcomes", UnrecordedOutcomes.class);
            System.out.printf("%d accepted, %d received by the provider, %d more than once; %d sends recorded after "
                    + "the outage%n", markerById.size(), received.size(), duplicates.size(), outcomes.recordedLate());
            assertThat(duplicates).as("emails received more than once").isEmpty();
            assertThat(received.keySet()).as("emails received").containsAll(markerById.values());
            assertThat(received.size()).as("emails received").isEqualTo(statusCounts(dbUrl).get(OutboxMessage.SENT).intValue());
            // deliveries were in flight when the database went away: their sends were recorded when it returned
            assertThat(outcomes.recordedLate()).as("sends recorded after the outage").isPositive();
            assertThat(outcomes.size()).as("outcomes still waiting").isZero();
            // the log names the real cause (PostgreSQL's 57P01 or 08006 for the connections it closed, 08001 for
            // those it refused), never the state-less failure of a rollback on a dead connection
            assertThat(log.linesContainingAnyOf(List.of("SQL state null"))).isEmpty();
            assertThat(log.linesContainingAnyOf(List.of("SQL state 57P01", "SQL state 08006", "SQL state 08001")))
                    .isNotEmpty();
            assertThat(log.linesContainingAnyOf(List.of("SG.outage-test-key"))).as("the provider's key in the log")
                    .isEmpty();
            for (String id : markerById.keySet()) {
                OutboxMessage message = hub.outbox().find(id).orElseThrow();
                assertThat(message.attempts()).as("attempts of " + id).isEqualTo(1);
                assertThat(message.lastError()).as("note on " + id).isNull();
            }
        }
    }

    private static Map<String, Long> statusCounts(String dbUrl) throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = java.sql.DriverManager.getConnection(dbUrl);
             PreparedStatement ps = c.prepareStatement("SELECT status, COUNT(*) FROM outbox_messages GROUP BY status");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
        }
        return counts;
    }
}
