package io.integrationhub.outbox;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.sun.net.httpserver.HttpServer;
import io.integrationhub.store.Store;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.ProviderStubs;
import io.integrationhub.testing.TestHub;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A provider call that outlasts the lease: hub A's provider holds its requests unanswered, its claims' leases run out,
 * and hub B (same PostgreSQL) reclaims those messages and sends them. The message shows the reclaim (a second
 * attempt, made after the first claim's lease ended); A's late outcome, written with a lease token that is no longer
 * the message's, changes nothing; and every email was accepted by a provider exactly once.
 */
class LeaseExpiryTest {

    private static final String PATH = "/v3/mail/send";
    private static final int MESSAGES = 6;
    private static final int WORKERS = 2;

    @TempDir
    Path dataA;
    @TempDir
    Path dataB;

    @Test
    void aMessageWhoseLeaseRanOutIsReclaimedAndSentOnceByTheOtherHub() throws Exception {
        StalledProvider stalled = StalledProvider.start();
        WireMockServer working = ProviderStubs.start();
        working.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(202).withHeader("X-Message-Id", "sg-b")));
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE leasetest");
            }
            Map<String, String> settings = new HashMap<>();
            settings.put("db.url", postgres.getJdbcUrl("postgres", "leasetest"));
            settings.put("email.provider", "sendgrid");
            settings.put("sendgrid.api-key", "test-sendgrid-key");
            // shorter than the stalled provider holds a call: the claims of hub A run out while A is still calling
            settings.put("outbox.lease-seconds", "2");
            settings.put("outbox.workers", String.valueOf(WORKERS));
            // a hub holds its workers' claims plus a batch waiting for them: here as many again, so A holds some
            // messages it has not started, and some messages only B ever claims
            settings.put("outbox.batch-size", String.valueOf(WORKERS));
            settings.put("http.response-timeout-ms", "120000");
            settings.put("breaker.minimum-number-of-calls", "100");
            Map<String, String> settingsA = new HashMap<>(settings);
            settingsA.put("sendgrid.base-url", "http://localhost:" + stalled.port());
            Map<String, String> settingsB = new HashMap<>(settings);
            settingsB.put("sendgrid.base-url", "http://localhost:" + working.port());

            Map<String, String> subjects = new TreeMap<>();
            try (TestHub a = TestHub.start(dataA, settingsA)) {
                for (int i = 0; i < MESSAGES; i++) {
                    var accepted = a.post("/api/v1/email", "{\"to\":\"a@example.com\",\"subject\":\"s-" + i + "\",\"text\":\"t\"}");
                    assertThat(accepted.statusCode()).isEqualTo(202);
                    subjects.put(Json.parse(accepted.body()).get("id").asText(), "s-" + i);
                }
                // A's workers are both inside a provider call that does not answer
                await().atMost(Duration.ofSeconds(30)).until(() -> stalled.subjects().size() == WORKERS);
                await().atMost(Duration.ofSeconds(10)).until(() -> leases(a).size() == 2 * WORKERS);
                Map<String, Instant> claimedByA = leases(a);
                assertThat(claimedByA.keySet().stream().map(subjects::get)).containsAll(stalled.subjects());

                try (TestHub b = TestHub.start(dataB, settingsB)) {
                    for (String id : subjects.keySet()) {
                        b.awaitStatus(id, OutboxMessage.SENT, Duration.ofSeconds(40));
                    }
                    // the reclaim: a second attempt, by B, sent only after A's lease had run out
                    Map<String, LoggedRequest> sentByB = new HashMap<>();
                    working.findAll(postRequestedFor(urlEqualTo(PATH))).forEach(r -> sentByB.put(subject(r), r));
                    for (var claim : claimedByA.entrySet()) {
                        OutboxMessage reclaimed = b.outbox().find(claim.getKey()).orElseThrow();
                        assertThat(reclaimed.attempts()).as("attempts of %s", claim.getKey()).isEqualTo(2);
                        assertThat(reclaimed.providerMessageId()).isEqualTo("sg-b");
                        Instant sentAt = sentByB.get(subjects.get(claim.getKey())).getLoggedDate().toInstant();
                        assertThat(sentAt).as("B's send of a message A had claimed")
                                .isAfterOrEqualTo(claim.getValue().truncatedTo(ChronoUnit.MILLIS));
                    }
                    for (String id : subjects.keySet()) {
                        if (!claimedByA.containsKey(id)) {
                            assertThat(b.outbox().find(id).orElseThrow().attempts()).as("attempts of %s", id).isEqualTo(1);
                        }
                    }

                    // A's calls end now, in failure, long after the messages passed to B: nothing of B's is undone
                    stalled.answerAll();
                    await().atMost(Duration.ofSeconds(30)).until(() ->
                            a.context().getInflightRepository().size("outbox-deliver-email") == 0);
                    for (String id : subjects.keySet()) {
                        OutboxMessage message = b.outbox().find(id).orElseThrow();
                        assertThat(message.status()).as(id).isEqualTo(OutboxMessage.SENT);
                        assertThat(message.attempts()).as(id).isEqualTo(claimedByA.containsKey(id) ? 2 : 1);
                    }
                }
            }
            Map<String, Integer> accepted = new TreeMap<>();
            working.findAll(postRequestedFor(urlEqualTo(PATH))).forEach(r -> accepted.merge(subject(r), 1, Integer::sum));
            assertThat(accepted).as("emails the provider accepted").hasSize(MESSAGES)
                    .allSatisfy((subject, count) -> assertThat(count).as(subject).isEqualTo(1));
            // the stalled provider accepted none: it answered each of A's two calls 503, and was called no more
            assertThat(stalled.subjects()).hasSize(WORKERS).doesNotHaveDuplicates();
        } finally {
            stalled.stop();
            working.stop();
        }
    }

    private static String subject(LoggedRequest request) {
        return Json.parse(request.getBodyAsString()).get("subject").asText();
    }

    /** The messages a hub holds a lease on, with the lease's end. */
    private static Map<String, Instant> leases(TestHub hub) {
        return hub.store().inTransaction(c -> {
            Map<String, Instant> leases = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, lease_until FROM outbox_messages WHERE status = 'sending'");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    leases.put(rs.getString(1), hub.store().instant(rs, 2));
                }
            }
            return leases;
        });
    }

    /**
     * A SendGrid stand-in that holds every request until the test lets it answer (503, so it accepts none): a
     * provider call that outlasts any lease, for as long as the test needs and no longer.
     */
    private static final class StalledProvider {

        private final HttpServer server;
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final CountDownLatch answer = new CountDownLatch(1);
        private final List<String> subjects = new CopyOnWriteArrayList<>();

        private StalledProvider() throws IOException {
            server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            server.setExecutor(threads);
            server.createContext(PATH, exchange -> {
                try (InputStream body = exchange.getRequestBody()) {
                    subjects.add(Json.parse(new String(body.readAllBytes(), StandardCharsets.UTF_8)).get("subject").asText());
                    answer.await(60, TimeUnit.SECONDS);
                    byte[] error = "{\"errors\": [{\"message\": \"stalled\"}]}".getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(503, error.length);
                    exchange.getResponseBody().write(error);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    exchange.close();
                }
            });
        }

        static StalledProvider start() throws IOException {
            StalledProvider provider = new StalledProvider();
            provider.server.start();
            return provider;
        }

        int port() {
            return server.getAddress().getPort();
        }

        List<String> subjects() {
            return List.copyOf(subjects);
        }

        void answerAll() {
            answer.countDown();
        }

        void stop() {
            answer.countDown();
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
