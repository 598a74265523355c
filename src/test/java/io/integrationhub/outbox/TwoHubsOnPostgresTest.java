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

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.integrationhub.testing.FakeTwilio;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.mail.internet.MimeMessage;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two hubs share one PostgreSQL outbox holding a backlog of emails and SMS, half and half. Whichever hub accepted a
 * message, and even when a hub stops and comes back in the middle of the backlog, every message reaches its
 * provider exactly once; each hub holds leases only on what its workers are delivering or about to, so a backlog longer than
 * the lease is not sent twice either. Each hub has its own SMTP server (GreenMail) and its own Twilio (WireMock), so
 * every received message also shows which hub delivered it.
 */
class TwoHubsOnPostgresTest {

    /** One SMTP server per hub. */
    @RegisterExtension
    static final GreenMailExtension SMTP_A = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());
    @RegisterExtension
    static final GreenMailExtension SMTP_B = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());
    /** One Twilio per hub. */
    static WireMockServer twilioA;
    static WireMockServer twilioB;

    private static final int BATCH_SIZE = 10;
    /** outbox.workers in application.properties: each hub holds at most this many leases per channel, plus a batch. */
    private static final int WORKERS = 4;
    private static final List<String> CHANNELS = List.of("email", "sms");
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    @TempDir
    Path dataA;
    @TempDir
    Path dataB;

    private String dbUrl;
    private DataSource db;

    @BeforeAll
    static void startPeers() throws Exception {
        postgres = EmbeddedPostgres.start();
        twilioA = FakeTwilio.start();
        twilioB = FakeTwilio.start();
    }

    @AfterAll
    static void stopPeers() throws Exception {
        for (WireMockServer twilio : new WireMockServer[] {twilioA, twilioB}) {
            if (twilio != null) {
                twilio.stop();
            }
        }
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
        for (WireMockServer twilio : new WireMockServer[] {twilioA, twilioB}) {
            twilio.resetAll();
            twilio.stubFor(WireMock.post(WireMock.urlEqualTo(FakeTwilio.PATH)).willReturn(FakeTwilio.queued("SMtwohubs")));
        }
    }

    /** A hub with its own SMTP server and Twilio, each provider at {@code rate} messages a second. */
    private Map<String, String> settings(String name, GreenMailExtension smtp, WireMockServer twilio, int rate) {
        Map<String, String> settings = new HashMap<>(FakeTwilio.settings(twilio));
        settings.put("db.url", dbUrl);
        settings.put("email.provider", "smtp");
        settings.put("smtp.port", String.valueOf(smtp.getSmtp().getPort()));
        settings.put("camel.main.name", name);
        // slow enough that a backlog builds up while the messages are being accepted
        settings.put("email.smtp.rate", String.valueOf(rate));
        settings.put("sms.twilio.rate", String.valueOf(rate));
        settings.put("outbox.batch-size", String.valueOf(BATCH_SIZE));
        return settings;
    }

    @Test
    void backlogAcceptedByTwoHubsIsDeliveredExactlyOnceWhileOneStopsAndReturns() throws Exception {
        Map<String, String> markerById = new ConcurrentHashMap<>();
        Map<String, AtomicLong> mostSending = Map.of("email", new AtomicLong(), "sms", new AtomicLong());
        TestHub hubA = null;
        TestHub hubB = null;
        try {
            hubA = TestHub.start(dataA, settings("hub-a", SMTP_A, twilioA, 5));
            hubB = TestHub.start(dataB, settings("hub-b", SMTP_B, twilioB, 5));
            assertThat(hubA.port()).isNotEqualTo(hubB.port());

            // both hubs accept a burst, alternating, and start working it off
            long t0 = System.nanoTime();
            accept(List.of(hubA, hubB), 0, 80, markerById);
            long accepted = System.nanoTime();
            await().atMost(Duration.ofSeconds(15)).until(() -> receivedCount(SMTP_B, twilioB) >= 3);
            Map<String, Long> beforeStop = statusCounts();
            // hub B stops (gracefully) in the middle of the backlog; 40 more arrive through hub A meanwhile
            long stopping = System.nanoTime();
            hubB.close();
            hubB = null;
            long stopped = System.nanoTime();
            Map<String, Long> afterStop = statusCounts();
            int sentByBBeforeStop = receivedCount(SMTP_B, twilioB);
            accept(List.of(hubA), 80, 120, markerById);
            // hub B comes back, and both accept the rest
            hubB = TestHub.start(dataB, settings("hub-b", SMTP_B, twilioB, 5));
            long restarted = System.nanoTime();
            accept(List.of(hubA, hubB), 120, 150, markerById);
            System.out.printf("accepted 80 in %d ms; outbox when hub B began to stop: %s; hub B stopped in %d ms "
                            + "(outbox then: %s; hub B had delivered %d); hub B back %d ms later%n", millis(t0, accepted),
                    beforeStop, millis(stopping, stopped), afterStop, sentByBBeforeStop, millis(stopped, restarted));
            assertThat(markerById).hasSize(150);
            // B stopped in the middle of the backlog: messages not sent yet (queued, or leased to hub A)
            assertThat(80 - afterStop.getOrDefault(OutboxMessage.SENT, 0L)).as("backlog left when hub B had stopped")
                    .isPositive();

            // well within the 120 s lease: a message left leased to the stopped hub B would not make it
            TestHub[] running = {hubA, hubB};
            awaitSettled(150, Duration.ofSeconds(45), () -> {
                Map<String, Long> sending = sendingByChannel();
                sending.forEach((channel, n) -> mostSending.get(channel).accumulateAndGet(n, Math::max));
            }, running);
            System.out.printf("all sent %d ms after the first was accepted; at most %s were sending at once%n",
                    millis(t0, System.nanoTime()), mostSending);

            Map<String, Integer> viaA = received(SMTP_A, twilioA);
            Map<String, Integer> viaB = received(SMTP_B, twilioB);
            assertDeliveredExactlyOnce(viaA, viaB, markerById);
            // nothing was claimed twice: every message took exactly one attempt
            for (String id : markerById.keySet()) {
                OutboxMessage message = hubA.outbox().find(id).orElseThrow();
                assertThat(message.attempts()).as("attempts of " + id).isEqualTo(1);
                assertThat(message.provider()).isEqualTo(message.channel().equals("email") ? "email-smtp" : "sms-twilio");
            }
            // a hub holds leases only on what its workers are delivering and a batch waiting for them, not on the
            // whole backlog
            for (String channel : CHANNELS) {
                assertThat(mostSending.get(channel).get()).as(channel + " messages sending at once")
                        .isLessThanOrEqualTo(2 * (WORKERS + BATCH_SIZE));
            }

            // both hubs did the work, whichever hub had accepted the message
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
        // 50 emails and 50 SMS take two hubs at 5 a second per provider about 5 s: longer than the lease. Only what a
        // hub claims and does not deliver within its lease is claimed again, so each hub must claim no more than it
        // can deliver in time.
        Map<String, String> markerById = new ConcurrentHashMap<>();
        Map<String, String> shortLease = Map.of("outbox.lease-seconds", "3");
        Map<String, String> settingsA = new HashMap<>(settings("hub-a", SMTP_A, twilioA, 5));
        Map<String, String> settingsB = new HashMap<>(settings("hub-b", SMTP_B, twilioB, 5));
        settingsA.putAll(shortLease);
        settingsB.putAll(shortLease);
        try (TestHub hubA = TestHub.start(dataA, settingsA); TestHub hubB = TestHub.start(dataB, settingsB)) {
            long t0 = System.nanoTime();
            accept(List.of(hubA, hubB), 0, 100, markerById);
            awaitSettled(100, Duration.ofSeconds(30), () -> { }, hubA, hubB);
            System.out.printf("100 sent %d ms after the first was accepted, with a lease of 3 s%n",
                    millis(t0, System.nanoTime()));
            assertDeliveredExactlyOnce(received(SMTP_A, twilioA), received(SMTP_B, twilioB), markerById);
        }
    }

    /**
     * Waits until all {@code total} messages are sent and no hub is still delivering one: a hub whose lease ran out
     * may still be sending a message that another hub has meanwhile sent and marked, and its duplicate would arrive
     * after the outbox says all is sent. Checked in that order, so nothing can start after the outbox was seen done.
     */
    private void awaitSettled(int total, Duration atMost, ThrowingRunnable eachPoll, TestHub... hubs) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            eachPoll.run();
            assertThat(statusCounts()).as("outbox").isEqualTo(Map.of(OutboxMessage.SENT, (long) total));
            for (TestHub hub : hubs) {
                for (String channel : CHANNELS) {
                    assertThat(hub.context().getInflightRepository().size("outbox-deliver-" + channel))
                            .as("%s deliveries in flight in %s", channel, hub.context().getName()).isZero();
                }
            }
        });
    }

    private static void assertDeliveredExactlyOnce(Map<String, Integer> viaA, Map<String, Integer> viaB,
            Map<String, String> markerById) {
        Map<String, Integer> received = new HashMap<>(viaA);
        viaB.forEach((marker, n) -> received.merge(marker, n, Integer::sum));
        Map<String, Integer> duplicates = new TreeMap<>();
        received.forEach((marker, n) -> {
            if (n > 1) {
                duplicates.put(marker, n);
            }
        });
        System.out.printf("received %d messages, %d of them more than once%n", received.size(), duplicates.size());
        assertThat(duplicates).as("messages received more than once").isEmpty();
        assertThat(received.keySet()).as("messages received").containsExactlyInAnyOrderElementsOf(markerById.values());
        assertThat(receivedCount(SMTP_A, twilioA) + receivedCount(SMTP_B, twilioB)).isEqualTo(markerById.size());
        // the backlog was both emails and SMS
        assertThat(markerById.values()).anyMatch(m -> m.startsWith("email-")).anyMatch(m -> m.startsWith("sms-"));
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }

    /**
     * Posts messages {@code from} to {@code to} (exclusive) from four threads, spread over the hubs in turn: pairs of
     * email and SMS, so that each hub accepts both. Each carries its marker ({@code email-007}, {@code sms-008}) as
     * its subject or SMS body.
     */
    private static void accept(List<TestHub> hubs, int from, int to, Map<String, String> markerById) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> posts = new ArrayList<>();
            for (int i = from; i < to; i++) {
                int n = i;
                posts.add(pool.submit(() -> {
                    boolean email = (n / hubs.size()) % 2 == 0;
                    String marker = String.format("%s-%03d", email ? "email" : "sms", n);
                    HttpResponse<String> response = email
                            ? hubs.get(n % hubs.size()).post("/api/v1/email", "{\"to\": \"someone@example.com\", "
                                    + "\"subject\": \"" + marker + "\", \"text\": \"n " + n + "\"}")
                            : hubs.get(n % hubs.size()).post("/api/v1/sms", "{\"to\": \"+447911123456\", "
                                    + "\"body\": \"" + marker + "\"}");
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                    markerById.put(Json.parse(response.body()).get("id").asText(), marker);
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

    private Map<String, Long> sendingByChannel() throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT channel, COUNT(*) FROM outbox_messages "
                     + "WHERE status = 'sending' GROUP BY channel");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
        }
        return counts;
    }

    /** What one hub delivered, by marker: the subjects its SMTP server received and the SMS bodies its Twilio did. */
    private static Map<String, Integer> received(GreenMailExtension smtp, WireMockServer twilio) throws Exception {
        Map<String, Integer> received = new HashMap<>(FakeTwilio.requestsPerBody(twilio));
        for (MimeMessage message : smtp.getReceivedMessages()) {
            received.merge(message.getSubject(), 1, Integer::sum);
        }
        return received;
    }

    private static int receivedCount(GreenMailExtension smtp, WireMockServer twilio) {
        return smtp.getReceivedMessages().length + FakeTwilio.requests(twilio).size();
    }
}
