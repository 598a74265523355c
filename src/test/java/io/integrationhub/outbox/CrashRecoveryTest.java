package io.integrationhub.outbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.integrationhub.testing.FakeTwilio;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.HubProcess;
import io.integrationhub.testing.TestHub;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hub as its own process on the embedded SQLite store, killed with SIGKILL while it works off a burst of emails and
 * SMS (half and half), then started again: nothing it acknowledged with 202 is lost, everything is delivered, and a
 * message reaches its provider twice only if the kill fell between the provider's acceptance (the SMTP server's, or
 * Twilio's, played by WireMock) and the commit of {@code sent}.
 */
class CrashRecoveryTest {

    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final String ADMIN_KEY = "crash-recovery-admin-key-0123456789";
    private static final int MESSAGES = 120;
    /** outbox.workers in application.properties: per channel, at most this many deliveries are in flight at the kill. */
    private static final int WORKERS = 4;
    private static final String STOPPED_DURING_DELIVERY = "the hub stopped during delivery";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> started = new ArrayList<>();
    private WireMockServer twilio;
    private int port;
    private Path log;

    @BeforeEach
    void startTwilio() {
        twilio = FakeTwilio.start();
        twilio.stubFor(WireMock.post(WireMock.urlEqualTo(FakeTwilio.PATH)).willReturn(FakeTwilio.queued("SMcrash")));
    }

    @AfterEach
    void killHubs() throws Exception {
        for (Process process : started) {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            process.waitFor(20, TimeUnit.SECONDS);
        }
        twilio.stop();
    }

    @Test
    void killedHubLosesNothingAndSendsAgainOnlyWhatWasInFlight() throws Exception {
        port = TestHub.freePort();
        log = dir.resolve("hub.log");
        long t0 = System.nanoTime();

        Process first = startHub();
        awaitHealthy(first);
        long up = System.nanoTime();

        Map<String, String> markerById = acceptBurst();
        assertThat(markerById).hasSize(MESSAGES);

        // some, not all, have reached each provider: kill the hub in the middle of its work
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> SMTP.getReceivedMessages().length >= 15 && FakeTwilio.requests(twilio).size() >= 15);
        first.destroyForcibly();
        assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        int emailsBeforeKill = SMTP.getReceivedMessages().length;
        int smsBeforeKill = FakeTwilio.requests(twilio).size();
        assertThat(emailsBeforeKill).as("emails delivered before the kill").isLessThan(MESSAGES / 2);
        assertThat(smsBeforeKill).as("SMS delivered before the kill").isLessThan(MESSAGES / 2);
        long killed = System.nanoTime();

        Process second = startHub();
        awaitHealthy(second);

        // every message acknowledged with 202 survived the kill
        for (String id : markerById.keySet()) {
            HttpResponse<String> message = get("/api/v1/messages/" + id);
            assertThat(message.statusCode()).as("message " + id + " after the restart: " + message.body()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(received().keySet()).containsAll(markerById.values()));
        Map<String, JsonNode> messages = new HashMap<>();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (String id : markerById.keySet()) {
                if (!messages.containsKey(id)) {
                    JsonNode message = Json.parse(get("/api/v1/messages/" + id).body());
                    assertThat(message.path("status").asText()).as("status of " + id).isEqualTo(OutboxMessage.SENT);
                    messages.put(id, message);
                }
            }
        });
        long done = System.nanoTime();

        // a message may reach its provider twice only if it was in flight at the kill, which the hub records on it
        Map<String, Integer> received = received();
        Map<String, String> idByMarker = new HashMap<>();
        markerById.forEach((id, marker) -> idByMarker.put(marker, id));
        Map<String, Integer> duplicates = new TreeMap<>();
        received.forEach((marker, n) -> {
            if (n > 1) {
                duplicates.put(marker, n);
            }
        });
        long releasedAtRestart = messages.values().stream()
                .filter(m -> m.path("lastError").asText("").contains(STOPPED_DURING_DELIVERY)).count();
        System.out.printf("crash test: accepted %d, delivered before the kill %d emails and %d SMS, in delivery at the "
                        + "kill (released at restart) %d, duplicates %d %s; hub up in %d ms, killed after %d ms, all "
                        + "sent %d ms after the restart began%n", markerById.size(), emailsBeforeKill, smsBeforeKill,
                releasedAtRestart, duplicates.size(), duplicates, millis(t0, up), millis(t0, killed),
                millis(killed, done));

        assertThat(received.keySet()).as("received messages").containsExactlyInAnyOrderElementsOf(markerById.values());
        assertThat(duplicates.values()).as("no message arrives more than twice").allMatch(n -> n == 2);
        for (String channel : List.of("email", "sms")) {
            assertThat(duplicates.keySet().stream().filter(m -> m.startsWith(channel + "-")).count())
                    .as(channel + " duplicates: at most one per worker in flight").isLessThanOrEqualTo(WORKERS);
        }
        for (String marker : duplicates.keySet()) {
            JsonNode message = messages.get(idByMarker.get(marker));
            assertThat(message.path("lastError").asText("")).as("last error of duplicated " + message.path("id"))
                    .contains(STOPPED_DURING_DELIVERY);
        }
        // each message was sent by its channel's provider
        for (JsonNode message : messages.values()) {
            assertThat(message.path("provider").asText()).as("provider of " + message.path("id"))
                    .isEqualTo(message.path("channel").asText().equals("email") ? "email-smtp" : "sms-twilio");
        }
        assertThat(releasedAtRestart).as("messages the kill caught in delivery").isPositive();
        assertThat(Files.readString(log, StandardCharsets.UTF_8))
                .contains("message(s) were being delivered when the hub last stopped; they are sent again");
    }

    /** The hub's own main class in a new JVM with this test's classpath, configured by environment variables. */
    private Process startHub() throws IOException {
        Process process = HubProcess.start(port, dir, ADMIN_KEY, log, Map.of(
                "EMAIL_PROVIDER", "smtp",
                "SMTP_PORT", String.valueOf(SMTP.getSmtp().getPort()),
                "SMS_PROVIDER", "twilio",
                "TWILIO_BASE_URL", "http://localhost:" + twilio.port(),
                "TWILIO_ACCOUNT_SID", FakeTwilio.ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN", FakeTwilio.AUTH_TOKEN,
                "TWILIO_PHONE_NUMBER", FakeTwilio.FROM,
                // 5 emails and 5 SMS a second: the burst takes about 12 s to deliver, so the kill finds both channels
                // mid-way whichever of them starts first
                "EMAIL_SMTP_RATE", "5",
                "SMS_TWILIO_RATE", "5"));
        started.add(process);
        return process;
    }

    private void awaitHealthy(Process process) {
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(process.isAlive()).as("hub process alive; its log:\n" + logTail()).isTrue();
            int status;
            try {
                status = http.send(HttpRequest.newBuilder(uri("/observe/health")).timeout(Duration.ofSeconds(5)).GET()
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException notYet) {
                status = -1;
            }
            assertThat(status).as("GET /observe/health").isEqualTo(200);
        });
    }

    /**
     * Posts the burst from four threads, emails and SMS in turn, each carrying its marker ({@code email-006},
     * {@code sms-007}) as subject or SMS body; every message must be acknowledged with 202 and an id.
     */
    private Map<String, String> acceptBurst() throws Exception {
        Map<String, String> markerById = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> posts = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                boolean email = i % 2 == 0;
                String marker = String.format("%s-%03d", email ? "email" : "sms", i);
                String path = email ? "/api/v1/email" : "/api/v1/sms";
                String json = email
                        ? "{\"to\": \"someone@example.com\", \"subject\": \"" + marker + "\", \"text\": \"" + marker + "\"}"
                        : "{\"to\": \"+447911123456\", \"body\": \"" + marker + "\"}";
                posts.add(pool.submit(() -> {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(path))
                            .timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + ADMIN_KEY)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(json))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                    markerById.put(Json.parse(response.body()).get("id").asText(), marker);
                    return null;
                }));
            }
            for (Future<?> post : posts) {
                post.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return markerById;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + ADMIN_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    /** How often each marker reached a provider: email subjects at the SMTP server, SMS bodies at Twilio. */
    private Map<String, Integer> received() throws Exception {
        Map<String, Integer> received = new HashMap<>(FakeTwilio.requestsPerBody(twilio));
        for (MimeMessage message : SMTP.getReceivedMessages()) {
            received.merge(message.getSubject(), 1, Integer::sum);
        }
        return received;
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
