package io.integrationhub.payments;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.integrationhub.testing.BothStores;
import io.integrationhub.testing.FakeStripe;
import io.integrationhub.testing.FakeTwilio;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.integrationhub.testing.FakeStripe.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two hubs on one PostgreSQL: the same charge sent to both at once, twenty times with one key, makes one call to
 * Stripe and one answer; an operation left pending by a hub that stopped is asked again by the other.
 */
class PaymentsOnPostgresTest {

    @TempDir
    Path dataA;

    @TempDir
    Path dataB;

    private WireMockServer stripe;

    @AfterEach
    void stop() {
        if (stripe != null) {
            stripe.stop();
        }
    }

    private Map<String, String> settings(String db) {
        Map<String, String> settings = new HashMap<>(FakeStripe.settings(stripe));
        settings.put("db.url", db);
        settings.put("payments.reconcile-interval-ms", "300");
        return settings;
    }

    @Test
    void twoHubsChargeOnceForOneKeyAndReconcileEachOthersOperations() throws Exception {
        stripe = FakeTwilio.start();
        stripe.stubFor(post(urlPathEqualTo("/v1/payment_intents"))
                .willReturn(json(200, FakeStripe.paymentIntent("pi_3Shared", 3000, "usd", "succeeded")).withFixedDelay(600)));
        String db = BothStores.newDatabase(BothStores.Backend.POSTGRES, dataA);
        try (TestHub hubA = TestHub.start(dataA, settings(db)); TestHub hubB = TestHub.start(dataB, settings(db))) {
            String body = "{\"amount\": 3000, \"currency\": \"usd\", \"paymentMethod\": \"pm_card_visa\"}";
            ExecutorService pool = Executors.newFixedThreadPool(20);
            try {
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    TestHub hub = i % 2 == 0 ? hubA : hubB;
                    answers.add(pool.submit(() -> {
                        HttpResponse<String> answer = hub.post("/api/v1/payments/charges", body, "Idempotency-Key", "pg-twenty");
                        for (int round = 0; answer.statusCode() == 409 && round < 20; round++) {
                            TestHub.sleep(300);
                            answer = hub.post("/api/v1/payments/charges", body, "Idempotency-Key", "pg-twenty");
                        }
                        return answer;
                    }));
                }
                Set<String> bodies = new HashSet<>();
                for (Future<HttpResponse<String>> answer : answers) {
                    HttpResponse<String> response = answer.get();
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
                    bodies.add(response.body());
                }
                assertThat(bodies).hasSize(1);
            } finally {
                pool.shutdownNow();
            }
            assertThat(FakeStripe.requests(stripe, "/v1/payment_intents")).hasSize(1);

            // an operation a stopped hub left pending (its lease ran out) is asked again, with its key, by a live hub
            stripe.resetAll();
            stripe.stubFor(post(urlPathEqualTo("/v1/customers")).willReturn(json(200,
                    "{\"id\": \"cus_Left\", \"object\": \"customer\", \"email\": \"left@example.com\"}")));
            hubA.store().inTransaction(c -> {
                try (var ps = c.prepareStatement("INSERT INTO payment_operations (id, operation, scope, request_key, "
                        + "request_hash, provider, provider_key, request, state, attempts, lease_until, created_at, updated_at) "
                        + "VALUES ('pay_left0000000000000000000000000', 'customer', 'gone-hub', NULL, 'h', 'payments-stripe', "
                        + "'hub-pay_left0000000000000000000000000', '{\"email\":\"left@example.com\"}', 'pending', 1, ?, ?, ?)")) {
                    java.time.Instant now = java.time.Instant.now();
                    ps.setObject(1, hubA.store().time(now.minusSeconds(5)));
                    ps.setObject(2, hubA.store().time(now.minusSeconds(60)));
                    ps.setObject(3, hubA.store().time(now.minusSeconds(60)));
                    return ps.executeUpdate();
                }
            });
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() -> "done".equals(
                    hubB.store().inTransaction(c -> {
                        try (var ps = c.prepareStatement("SELECT state FROM payment_operations WHERE id = 'pay_left0000000000000000000000000'");
                             ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? rs.getString(1) : null;
                        }
                    })));
            assertThat(FakeStripe.requests(stripe, "/v1/customers")).hasSize(1)
                    .allMatch(r -> r.getHeader("Idempotency-Key").equals("hub-pay_left0000000000000000000000000"));
            assertThat(Json.parse(hubB.get("/api/v1/payments/charges/pay_left0000000000000000000000000").body())
                    .get("title").asText()).isEqualTo("Not found");
        }
    }
}
