package io.integrationhub.webhooks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.integrationhub.testing.HubProcess;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hub as its own process, killed with SIGKILL while Stripe events pour in and its subscriber works them off,
 * then started again: every event it answered 200 is stored and handed to the subscriber after the restart, and the
 * subscriber's effect (an email queued with the event's id as its idempotency key) happens once per event.
 */
class WebhookCrashTest {

    private static final String SECRET = "whsec_crash_test_secret_0123456789";
    private static final String ADMIN_KEY = "webhook-crash-admin-key-0123456789";
    private static final String SUBSCRIBER = """
            - route:
                id: event-mails
                from:
                  uri: webhook:stripe
                  steps:
                    - setProperty: { name: idempotencyKey, simple: "event-${header.webhookId}" }
                    - setProperty: { name: emailTo, constant: "ops@example.com" }
                    - setProperty: { name: emailSubject, simple: "Event ${header.webhookEventId}" }
                    - setProperty: { name: emailText, constant: "An event arrived." }
                    - setBody: { constant: "" }
                    - to: direct:enqueue-email
            """;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> started = new ArrayList<>();
    private int port;

    @AfterEach
    void killHubs() throws Exception {
        for (Process process : started) {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void eventsAnswered200SurviveAKillAndReachTheSubscriberOnceEach() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("event-mails.camel.yaml"), SUBSCRIBER);
        port = TestHub.freePort();
        Process first = startHub(routes);
        HubProcess.awaitReady(first, port, dir.resolve("hub.log"));

        // four clients post events until the hub is killed under them
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        for (int c = 0; c < 4; c++) {
            int client = c;
            clients.submit(() -> {
                for (int i = 0; !stop.get() && i < 1000; i++) {
                    String eventId = "evt_crash_" + client + "_" + i;
                    try {
                        if (post(eventId) == 200) {
                            acknowledged.add(eventId);
                        }
                    } catch (Exception refusedOrCut) {
                        return null;
                    }
                }
                return null;
            });
        }
        // the kill falls while events still arrive and the subscriber is working them off
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 60 && eventMails().size() >= 10);
        first.destroyForcibly();
        assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
        stop.set(true);
        clients.shutdown();
        assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        Map<String, Integer> beforeRestart = eventMails();

        Process second = startHub(routes);
        HubProcess.awaitReady(second, port, dir.resolve("hub.log"));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            Map<String, Integer> mails = eventMails();
            assertThat(mails.keySet()).as("an email for every acknowledged event").containsAll(acknowledged);
            assertThat(undelivered()).isZero();
        });
        Map<String, Integer> mails = eventMails();
        assertThat(mails.values()).as("one email per event").allMatch(n -> n == 1);
        System.out.printf("%d events acknowledged before the kill; %d of their emails queued before it, the rest after "
                + "the restart%n", acknowledged.size(), beforeRestart.keySet().stream().filter(acknowledged::contains).count());
    }

    private int post(String eventId) throws Exception {
        String body = "{\"id\":\"" + eventId + "\",\"type\":\"invoice.paid\"}";
        String t = String.valueOf(System.currentTimeMillis() / 1000);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal((t + "." + body)
                .getBytes(StandardCharsets.UTF_8)));
        return http.send(HttpRequest.newBuilder(uri("/webhooks/stripe")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Stripe-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The emails the subscriber queued, counted by the event they are for (read from the store file). */
    private Map<String, Integer> eventMails() throws Exception {
        Map<String, Integer> mails = new HashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("hub.db").toAbsolutePath());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT payload FROM outbox_messages WHERE channel = 'email'")) {
            while (rs.next()) {
                String payload = rs.getString(1);
                int at = payload.indexOf("Event evt_crash_");
                if (at >= 0) {
                    String event = payload.substring(at + "Event ".length()).split("\"", 2)[0];
                    mails.merge(event, 1, Integer::sum);
                }
            }
        }
        return mails;
    }

    /** Events not yet handed out, and deliveries to the subscriber not yet done. */
    private long undelivered() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("hub.db").toAbsolutePath());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT COUNT(*) FROM webhook_events WHERE status = 'received') "
                     + "+ (SELECT COUNT(*) FROM outbox_messages WHERE channel = 'webhook' AND status <> 'sent')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Process startHub(Path routes) throws IOException {
        Process process = HubProcess.start(port, dir, ADMIN_KEY, dir.resolve("hub.log"), Map.of(
                "STRIPE_WEBHOOK_SECRET", SECRET, "HUB_ROUTES_DIR", routes.toAbsolutePath().toString()));
        started.add(process);
        return process;
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
