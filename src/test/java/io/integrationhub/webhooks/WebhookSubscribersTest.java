package io.integrationhub.webhooks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Subscriber routes ({@code from("webhook:<source>?types=...")}) get each matching event once, with its raw body
 * and what it is; each subscriber is retried and dead-lettered on its own, and an event nobody takes is kept as
 * {@code unhandled}.
 */
class WebhookSubscribersTest {

    private static final String SECRET = "whsec_subscribers_test_secret";

    @TempDir
    Path data;

    private static String signed(String body) throws Exception {
        String t = String.valueOf(System.currentTimeMillis() / 1000);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
    }

    private static String post(TestHub hub, String id, String type) throws Exception {
        String body = "{\"id\":\"" + id + "\",\"type\":\"" + type + "\",\"data\":{\"amount\":1200}}";
        var response = hub.request("POST", "/webhooks/stripe", null, body, "Stripe-Signature", signed(body));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.parse(response.body()).get("id").asText();
    }

    @Test
    void eachSubscriberGetsItsEventsOnceAndFailsOnItsOwn() throws Exception {
        // only this test's subscribers (not the shipped integrations of routes/)
        Path noRoutes = java.nio.file.Files.createDirectories(data.resolve("no-routes"));
        try (TestHub hub = TestHub.start(data, Map.of("stripe.webhook-secret", SECRET,
                "webhook.retry-schedule", "50ms, 50ms, 50ms, 50ms", "hub.routes-dir", noRoutes.toString()))) {
            ConcurrentLinkedQueue<String> receipts = new ConcurrentLinkedQueue<>();
            AtomicInteger flakyCalls = new AtomicInteger();
            AtomicInteger brokenCalls = new AtomicInteger();
            // (a lambda: an anonymous RouteBuilder class would be found by the hub's own scan of its package)
            RouteBuilder.addRoutes(hub.context(), routes -> {
                routes.from("webhook:stripe?types=checkout.session.completed").routeId("receipts")
                        .process(e -> receipts.add(e.getMessage().getHeader(WebhookDeliveries.EVENT_ID, String.class)
                                + " " + e.getMessage().getHeader(WebhookDeliveries.TYPE) + " "
                                + e.getMessage().getBody(String.class)));
                // fails three times, then takes it
                routes.from("webhook:stripe?types=checkout.*").routeId("flaky")
                        .process(e -> {
                            if (flakyCalls.incrementAndGet() <= 3) {
                                throw new IllegalStateException("not yet");
                            }
                        });
                // never takes anything
                routes.from("webhook:stripe?types=checkout.session.completed").routeId("broken")
                        .process(e -> {
                            brokenCalls.incrementAndGet();
                            throw new IllegalStateException("always broken");
                        });
            });

            String paid = post(hub, "evt_sub_1", "checkout.session.completed");
            String other = post(hub, "evt_sub_2", "customer.created");
            // a repeated delivery is not handed out again
            post(hub, "evt_sub_1", "checkout.session.completed");

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(receipts).hasSize(1);
                assertThat(flakyCalls.get()).isEqualTo(4);
                assertThat(deliveries(hub, "broken")).containsExactly(OutboxMessage.DEAD);
            });
            assertThat(receipts.peek()).startsWith("evt_sub_1 checkout.session.completed {\"id\":\"evt_sub_1\"");
            assertThat(deliveries(hub, "receipts")).containsExactly(OutboxMessage.SENT);
            assertThat(deliveries(hub, "flaky")).containsExactly(OutboxMessage.SENT);
            // five attempts in all for the broken one (the first and four retries), and none more
            assertThat(brokenCalls.get()).isEqualTo(5);
            assertThat(receipts).hasSize(1);

            WebhookEvents events = hub.context().getRegistry().lookupByNameAndType(WebhookEvents.BEAN, WebhookEvents.class);
            assertThat(events.find(paid).orElseThrow().status()).isEqualTo(WebhookEvents.DISPATCHED);
            await().atMost(Duration.ofSeconds(5)).until(() -> events.find(other).orElseThrow().status()
                    .equals(WebhookEvents.UNHANDLED));

            // the events API (admin keys): the raw payload and each subscriber's delivery
            var event = Json.parse(hub.get("/api/v1/webhooks/events/" + paid).body());
            assertThat(event.get("status").asText()).isEqualTo("dispatched");
            assertThat(event.get("payload").asText()).startsWith("{\"id\":\"evt_sub_1\"");
            assertThat(event.get("deliveries").findValuesAsText("subscriber")).containsExactlyInAnyOrder("broken", "flaky", "receipts");
            for (var delivery : event.get("deliveries")) {
                if (delivery.get("subscriber").asText().equals("broken")) {
                    assertThat(delivery.get("status").asText()).isEqualTo("dead");
                    assertThat(delivery.get("attempts").asInt()).isEqualTo(5);
                    assertThat(delivery.get("lastError").asText()).contains("always broken");
                }
            }
            var unhandled = Json.parse(hub.get("/api/v1/webhooks/events?status=unhandled&source=stripe").body());
            assertThat(unhandled.get("items").findValuesAsText("id")).containsExactly(other);
            assertThat(hub.get("/api/v1/webhooks/events?status=lost").statusCode()).isEqualTo(400);
            assertThat(hub.get("/api/v1/webhooks/events/evt_" + "0".repeat(32)).statusCode()).isEqualTo(404);
            String sender = hub.createKey("shop", "sender").get("key").asText();
            assertThat(hub.request("GET", "/api/v1/webhooks/events", TestHub.bearer(sender), null).statusCode()).isEqualTo(403);

            // a replay for one subscriber: that one runs again, the others do not
            assertThat(hub.post("/api/v1/webhooks/events/" + paid + "/replay?subscriber=nobody", "").statusCode()).isEqualTo(422);
            var replayed = hub.post("/api/v1/webhooks/events/" + paid + "/replay?subscriber=receipts", "");
            assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> receipts.size() == 2);
            assertThat(deliveries(hub, "receipts")).containsExactly(OutboxMessage.SENT, OutboxMessage.SENT);
            // with an Idempotency-Key, the same replay again answers the first one and adds no delivery
            var keyed = hub.post("/api/v1/webhooks/events/" + paid + "/replay?subscriber=receipts", "", "Idempotency-Key", "replay-1");
            var again = hub.post("/api/v1/webhooks/events/" + paid + "/replay?subscriber=receipts", "", "Idempotency-Key", "replay-1");
            assertThat(keyed.statusCode()).isEqualTo(202);
            assertThat(again.body()).isEqualTo(keyed.body()).contains("\"receipts\":\"msg_");
            await().atMost(Duration.ofSeconds(10)).until(() -> receipts.size() == 3);
            assertThat(deliveries(hub, "receipts")).hasSize(3);
            assertThat(flakyCalls.get()).isEqualTo(4);
            assertThat(brokenCalls.get()).isEqualTo(5);
        }
    }

    @Test
    void aYamlRouteSubscribesAndQueuesAnEmailForEachPaidCheckout(@TempDir Path routes) throws Exception {
        java.nio.file.Files.writeString(routes.resolve("paid-checkouts.camel.yaml"), """
                - route:
                    id: paid-checkouts
                    from:
                      uri: webhook:stripe
                      parameters:
                        types: checkout.session.completed
                      steps:
                        - setProperty: { name: emailTo, constant: "ann@example.com" }
                        - setProperty: { name: emailSubject, simple: "Paid: ${header.webhookEventId}" }
                        - setProperty: { name: emailText, constant: "Thank you for your order." }
                        - setBody: { constant: "" }
                        - to: direct:enqueue-email
                """);
        try (TestHub hub = TestHub.start(data, Map.of("stripe.webhook-secret", SECRET,
                "hub.routes-dir", routes.toAbsolutePath().toString()))) {
            post(hub, "evt_yaml_1", "checkout.session.completed");
            post(hub, "evt_yaml_2", "invoice.paid");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(emails(hub)).singleElement()
                    .satisfies(email -> assertThat(email).startsWith("sent").contains("Paid: evt_yaml_1")));
        }
    }

    /** Each email in the outbox: its status, then its content. */
    private static List<String> emails(TestHub hub) {
        return hub.store().inTransaction(c -> {
            List<String> emails = new java.util.ArrayList<>();
            try (var ps = c.prepareStatement("SELECT payload, status FROM outbox_messages WHERE channel = 'email'");
                 var rs = ps.executeQuery()) {
                while (rs.next()) {
                    emails.add(rs.getString(2) + " " + rs.getString(1));
                }
            }
            return emails;
        });
    }

    /** The statuses of the outbox deliveries to one subscriber. */
    private static List<String> deliveries(TestHub hub, String subscriber) {
        return hub.store().inTransaction(c -> {
            List<String> statuses = new java.util.ArrayList<>();
            try (var ps = c.prepareStatement("SELECT status, payload FROM outbox_messages WHERE channel = 'webhook'");
                 var rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(2).contains("\"subscriber\":\"" + subscriber + "\"")) {
                        statuses.add(rs.getString(1));
                    }
                }
            }
            return statuses;
        });
    }
}
