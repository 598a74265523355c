package io.integrationhub.outbox;

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two hubs share one PostgreSQL outbox. Whichever hub accepted an email, and even when a hub stops and comes back
 * in the middle of the backlog, every email reaches the SMTP server exactly once; each hub holds leases only on
 * the batch it is delivering, so a backlog longer than the lease is not sent twice either. Each hub has its own
 * GreenMail server, so every received email also shows which hub delivered it.
 */
class TwoHubsOnPostgresTest {

    /** One SMTP server per hub. */
    @RegisterExtension
    static final GreenMailExtension SMTP_A = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());
    @RegisterExtension
    static final GreenMailExtension SMTP_B = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final int BATCH_SIZE = 10;
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    @TempDir
    Path dataA;
    @TempDir
    Path dataB;

    private String dbUrl;
    private DataSource db;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void freshDatabase() throws Exception {
        String database = "two_hubs_" + DATABASES.incrementAndGet();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        dbUrl = postgres.getJdbcUrl("postgres", database);
        db = postgres.getDatabase("postgres", database);
    }

    private Map<String, String> settings(String name, GreenMailExtension smtp, int smtpRate) {
        Map<String, String> settings = new HashMap<>();
        settings.put("db.url", dbUrl);
        settings.put("email.provider", "smtp");
        settings.put("smtp.port", String.valueOf(smtp.getSmtp().getPort()));
        settings.put("camel.main.name", name);
        // slow enough that a backlog builds up while the emails are being accepted
        settings.put("email.smtp.rate", String.valueOf(smtpRate));
        settings.put("outbox.batch-size", String.valueOf(BATCH_SIZE));
        return settings;
    }

    @Test
    void backlogAcceptedByTwoHubsIsDeliveredExactlyOnceWhileOneStopsAndReturns() throws Exception {
        Map<String, String> subjectById = new ConcurrentHashMap<>();
        AtomicLong mostSending = new AtomicLong();
        TestHub hubA = null;
        TestHub hubB = null;
        try {
            hubA = TestHub.start(dataA, settings("hub-a", SMTP_A, 5));
            hubB = TestHub.start(dataB, settings("hub-b", SMTP_B, 5));
            assertThat(hubA.port()).isNotEqualTo(hubB.port());

            // both hubs accept a burst, alternating, and start working it off
            long t0 = System.nanoTime();
            accept(List.of(hubA, hubB), 0, 80, subjectById);
            long accepted = System.nanoTime();
            await().atMost(Duration.ofSeconds(15)).until(() -> SMTP_B.getReceivedMessages().length >= 3);
            Map<String, Long> beforeStop = statusCounts();
            // hub B stops (gracefully) in the middle of the backlog; 40 more arrive through hub A meanwhile
            long stopping = System.nanoTime();
            hubB.close();
            hubB = null;
            long stopped = System.nanoTime();
            Map<String, Long> afterStop = statusCounts();
            int sentByBBeforeStop = SMTP_B.getReceivedMessages().length;
            accept(List.of(hubA), 80, 120, subjectById);
            // hub B comes back, and both accept the rest
            hubB = TestHub.start(dataB, settings("hub-b", SMTP_B, 5));
            long restarted = System.nanoTime();
            accept(List.of(hubA, hubB), 120, 150, subjectById);
            System.out.printf("accepted 80 in %d ms; outbox when hub B began to stop: %s; hub B stopped in %d ms "
                            + "(outbox then: %s; hub B had delivered %d); hub B back %d ms later%n", millis(t0, accepted),
                    beforeStop, millis(stopping, stopped), afterStop, sentByBBeforeStop, millis(stopped, restarted));
            assertThat(subjectById).hasSize(150);
            assertThat(afterStop.getOrDefault(OutboxMessage.QUEUED, 0L)).as("backlog left when hub B had stopped")
                    .isPositive();

            // well within the 120 s lease: a message left leased to the stopped hub B would not make it
            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> {
                        Map<String, Long> counts = statusCounts();
                        mostSending.accumulateAndGet(counts.getOrDefault(OutboxMessage.SENDING, 0L), Math::max);
                        assertThat(counts).isEqualTo(Map.of(OutboxMessage.SENT, 150L));
                    });
            System.out.printf("all sent %d ms after the first was accepted; at most %d were sending at once%n",
                    millis(t0, System.nanoTime()), mostSending.get());

            Map<String, Integer> viaA = receivedSubjects(SMTP_A);
            Map<String, Integer> viaB = receivedSubjects(SMTP_B);
            assertDeliveredExactlyOnce(viaA, viaB, subjectById);
            // nothing was claimed twice: every message took exactly one attempt
            for (String id : subjectById.keySet()) {
                OutboxMessage message = hubA.outbox().find(id).orElseThrow();
                assertThat(message.attempts()).as("attempts of " + id).isEqualTo(1);
                assertThat(message.provider()).isEqualTo("email-smtp");
            }
            // a hub holds leases only on the batch it is delivering, not on the whole backlog
            assertThat(mostSending.get()).as("messages sending at once").isLessThanOrEqualTo(2 * BATCH_SIZE);

            // both hubs did the work, whichever hub had accepted the email
            System.out.printf("delivered by hub A: %d, by hub B: %d (%d before its stop, %d after its restart)%n",
                    viaA.size(), viaB.size(), sentByBBeforeStop, viaB.size() - sentByBBeforeStop);
            assertThat(viaA).as("delivered by hub A").isNotEmpty();
            assertThat(sentByBBeforeStop).as("delivered by hub B before its stop").isPositive();
            assertThat(viaB.size() - sentByBBeforeStop).as("delivered by hub B after its restart").isPositive();
        } finally {
            for (TestHub hub : new TestHub[] {hubA, hubB}) {
                if (hub != null) {
                    hub.close();
                }
            }
        }
    }

    @Test
    void backlogThatTakesLongerThanALeaseIsNotSentTwice() throws Exception {
        // 100 emails take two hubs at 10 a second about 5 s: longer than the lease. Only what a hub claims and does not
        // deliver within its lease is claimed again, so each hub must claim no more than it can deliver in time.
        Map<String, String> subjectById = new ConcurrentHashMap<>();
        Map<String, String> shortLease = Map.of("outbox.lease-seconds", "3");
        Map<String, String> settingsA = new HashMap<>(settings("hub-a", SMTP_A, 10));
        Map<String, String> settingsB = new HashMap<>(settings("hub-b", SMTP_B, 10));
        settingsA.putAll(shortLease);
        settingsB.putAll(shortLease);
        try (TestHub hubA = TestHub.start(dataA, settingsA); TestHub hubB = TestHub.start(dataB, settingsB)) {
            accept(List.of(hubA, hubB), 0, 100, subjectById);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(statusCounts()).isEqualTo(Map.of(OutboxMessage.SENT, 100L)));
            // whatever was still on its way when the last one was marked sent has arrived
            TestHub.sleep(1000);
            assertDeliveredExactlyOnce(receivedSubjects(SMTP_A), receivedSubjects(SMTP_B), subjectById);
        }
    }

    private static void assertDeliveredExactlyOnce(Map<String, Integer> viaA, Map<String, Integer> viaB,
            Map<String, String> subjectById) {
        Map<String, Integer> received = new HashMap<>(viaA);
        viaB.forEach((subject, n) -> received.merge(subject, n, Integer::sum));
        Map<String, Integer> duplicates = new TreeMap<>();
        received.forEach((subject, n) -> {
            if (n > 1) {
                duplicates.put(subject, n);
            }
        });
        System.out.printf("received %d subjects, %d of them more than once%n", received.size(), duplicates.size());
        assertThat(duplicates).as("subjects received more than once").isEmpty();
        assertThat(received.keySet()).as("subjects received").containsExactlyInAnyOrderElementsOf(subjectById.values());
        assertThat(SMTP_A.getReceivedMessages().length + SMTP_B.getReceivedMessages().length)
                .isEqualTo(subjectById.size());
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }

    /** Posts emails {@code from} to {@code to} (exclusive) from four threads, spread over the hubs in turn. */
    private static void accept(List<TestHub> hubs, int from, int to, Map<String, String> subjectById) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> posts = new ArrayList<>();
            for (int i = from; i < to; i++) {
                int n = i;
                posts.add(pool.submit(() -> {
                    String subject = String.format("two-hubs-%03d", n);
                    HttpResponse<String> response = hubs.get(n % hubs.size()).post("/api/v1/email",
                            "{\"to\": \"someone@example.com\", \"subject\": \"" + subject + "\", \"text\": \"n " + n + "\"}");
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                    subjectById.put(Json.parse(response.body()).get("id").asText(), subject);
                }));
            }
            for (Future<?> post : posts) {
                post.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private Map<String, Long> statusCounts() throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT status, COUNT(*) FROM outbox_messages GROUP BY status");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
        }
        return counts;
    }

    private static Map<String, Integer> receivedSubjects(GreenMailExtension smtp) throws Exception {
        Map<String, Integer> received = new HashMap<>();
        for (MimeMessage message : smtp.getReceivedMessages()) {
            received.merge(message.getSubject(), 1, Integer::sum);
        }
        return received;
    }
}
