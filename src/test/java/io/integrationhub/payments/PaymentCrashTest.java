package io.integrationhub.payments;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.integrationhub.testing.FakeStripe;
import io.integrationhub.testing.FakeTwilio;
import io.integrationhub.testing.HubProcess;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.integrationhub.testing.FakeStripe.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hub as its own process, killed with SIGKILL after Stripe (WireMock) answered a charge and before the hub
 * recorded the answer: the test holds the embedded store's write lock while the answer arrives, so the record cannot
 * be completed, then kills the hub. Started again, the hub asks Stripe about the pending charge with the same
 * Idempotency-Key (Stripe replays it: one charge), and the charge ends succeeded, once.
 */
class PaymentCrashTest {

    private static final String ADMIN_KEY = "payment-crash-admin-key-0123456789";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> started = new ArrayList<>();
    private WireMockServer stripe;
    private int port;

    @AfterEach
    void stop() throws Exception {
        for (Process process : started) {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            process.waitFor(20, TimeUnit.SECONDS);
        }
        if (stripe != null) {
            stripe.stop();
        }
    }

    @Test
    void aChargeAnsweredBeforeTheHubDiedEndsSucceededOnce() throws Exception {
        stripe = FakeTwilio.start();
        stripe.stubFor(post(urlPathEqualTo("/v1/payment_intents"))
                .willReturn(json(200, FakeStripe.paymentIntent("pi_3Crash", 2999, "usd", "succeeded")).withFixedDelay(1500)));
        port = TestHub.freePort();
        Process first = startHub();
        HubProcess.awaitReady(first, port, dir.resolve("hub.log"));

        String body = "{\"amount\": 2999, \"currency\": \"usd\", \"paymentMethod\": \"pm_card_visa\"}";
        CompletableFuture<HttpResponse<String>> lost = http.sendAsync(charge(body), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(20)).until(() -> FakeStripe.requests(stripe, "/v1/payment_intents").size() == 1);

        try (Connection store = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("hub.db").toAbsolutePath());
             Statement sql = store.createStatement()) {
            sql.execute("PRAGMA busy_timeout = 10000");
            // the pending record is committed before Stripe is called; now nothing more can be written
            assertThat(states(sql)).containsExactly("pending");
            sql.execute("BEGIN IMMEDIATE");
            ServeEvent served = stripe.getAllServeEvents().get(0);
            await().atMost(Duration.ofSeconds(10)).until(() -> stripe.getAllServeEvents().get(0).getResponse() != null
                    && stripe.getAllServeEvents().get(0).getTiming() != null
                    && stripe.getAllServeEvents().get(0).getTiming().getTotalTime() != null);
            assertThat(served.getRequest().getHeader("Idempotency-Key")).startsWith("hub-pay_");
            Thread.sleep(500);
            first.destroyForcibly();
            assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
            sql.execute("ROLLBACK");
            assertThat(states(sql)).as("killed between Stripe's answer and the record").containsExactly("pending");
        }
        assertThat(lost).failsWithin(Duration.ofSeconds(10));

        stripe.resetAll();
        stripe.stubFor(post(urlPathEqualTo("/v1/payment_intents")).willReturn(json(200,
                FakeStripe.paymentIntent("pi_3Crash", 2999, "usd", "succeeded")).withHeader("Idempotent-Replayed", "true")));
        Process second = startHub();
        HubProcess.awaitReady(second, port, dir.resolve("hub.log"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            try (Connection store = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("hub.db").toAbsolutePath());
                 Statement sql = store.createStatement()) {
                assertThat(states(sql)).containsExactly("done");
            }
        });
        List<LoggedRequest> asked = FakeStripe.requests(stripe, "/v1/payment_intents");
        assertThat(asked).hasSize(1);
        String key = asked.get(0).getHeader("Idempotency-Key");
        assertThat(key).startsWith("hub-pay_");
        // the record is completed before the reconciler logs it
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(java.nio.file.Files.readString(dir.resolve("hub.log"))).contains("was confirmed with payments-stripe"));

        // the caller, repeating its request with its key, gets the charge: succeeded, and Stripe is not asked again
        HttpResponse<String> repeated = http.send(charge(body), HttpResponse.BodyHandlers.ofString());
        assertThat(repeated.statusCode()).as(repeated.body()).isEqualTo(201);
        JsonNode charge = Json.parse(repeated.body());
        assertThat(charge.get("status").asText()).isEqualTo("succeeded");
        assertThat(charge.get("providerId").asText()).isEqualTo("pi_3Crash");
        assertThat("hub-" + charge.get("id").asText()).isEqualTo(key);
        assertThat(FakeStripe.requests(stripe, "/v1/payment_intents")).hasSize(1);
    }

    private HttpRequest charge(String body) {
        return HttpRequest.newBuilder(uri("/api/v1/payments/charges")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
                .header("Idempotency-Key", "crash-order-1").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static List<String> states(Statement sql) throws Exception {
        List<String> states = new ArrayList<>();
        try (ResultSet rs = sql.executeQuery("SELECT state FROM payment_operations")) {
            while (rs.next()) {
                states.add(rs.getString(1));
            }
        }
        return states;
    }

    private Process startHub() throws IOException {
        Process process = HubProcess.start(port, dir, ADMIN_KEY, dir.resolve("hub.log"), Map.of(
                "PAYMENT_PROVIDER", "stripe",
                "STRIPE_BASE_URL", "http://localhost:" + stripe.port(),
                "STRIPE_SECRET_KEY", FakeStripe.SECRET_KEY,
                "STRIPE_READ_TIMEOUT_MS", "10000",
                "PAYMENTS_REQUEST_TIMEOUT_MS", "20000",
                "PAYMENTS_RECONCILE_INTERVAL_MS", "1000",
                "DB_CONNECTION_TIMEOUT_MS", "15000"));
        started.add(process);
        return process;
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
