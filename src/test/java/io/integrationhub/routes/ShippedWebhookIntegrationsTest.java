package io.integrationhub.routes;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.integrationhub.testing.FakeTwilio;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import io.integrationhub.testing.WebhookSignatures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shipped webhook integrations, {@code routes/stripe-receipt.camel.yaml} and
 * {@code routes/calendly-booking-sms.camel.yaml}, run by the real hub (the project's routes/ and templates/) as the
 * providers would drive them: signed events posted to /webhooks/..., the receipt email queued and sent, the booking
 * SMS sent through Twilio (WireMock playing Twilio).
 */
class ShippedWebhookIntegrationsTest {

    private static final String STRIPE_SECRET = "whsec_shipped_integrations_test";
    private static final String CALENDLY_KEY = "calendly-shipped-integrations-test-key";

    @TempDir
    static Path data;
    private static WireMockServer twilio;
    private static TestHub hub;

    @BeforeAll
    static void start() {
        twilio = FakeTwilio.start();
        Map<String, String> settings = new HashMap<>(FakeTwilio.settings(twilio));
        settings.put("stripe.webhook-secret", STRIPE_SECRET);
        settings.put("calendly.webhook-signing-key", CALENDLY_KEY);
        settings.put("webhook.retry-schedule", "50ms, 50ms");
        hub = TestHub.start(data, settings);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        twilio.stop();
    }

    @BeforeEach
    void twilioQueuesEveryMessage() {
        twilio.resetAll();
        twilio.stubFor(post(urlPathEqualTo(FakeTwilio.PATH)).willReturn(FakeTwilio.queued("SM" + "0".repeat(32))));
    }

    /** The build-time check: a file of routes/ that does not load fails the build, naming the file and the line. */
    @Test
    void everyFileInTheRoutesFolderLoads() {
        var response = hub.get("/api/v1/integrations");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> files = new ArrayList<>();
        for (JsonNode file : Json.parse(response.body()).get("files")) {
            files.add(file.get("file").asText());
            assertThat(file.get("status").asText())
                    .as("routes/%s, line %s: %s", file.get("file").asText(), file.get("line"), file.get("error"))
                    .isEqualTo("loaded");
        }
        assertThat(files).contains("stripe-receipt.camel.yaml", "calendly-booking-sms.camel.yaml", "user-signup.camel.yaml");
        assertThat(files).hasSize(new java.io.File("routes").list((dir, name) -> name.endsWith(".camel.yaml")).length);
    }

    // --- stripe-receipt.camel.yaml ---

    @Test
    void aPaidCheckoutSendsOneReceiptWithTheAmountInItsCurrency() {
        String session = "cs_test_paid_" + System.nanoTime();
        String event = checkoutCompleted("evt_" + session, session, 1999, "usd", "paid", "ann@example.com", "Ann Lee");
        String id = postStripe(event);

        JsonNode email = awaitOneEmailTo("ann@example.com");
        assertThat(email.get("subject").asText()).isEqualTo("Your Acme receipt: $19.99");
        assertThat(email.get("text").asText()).startsWith("Hi Ann Lee,").contains("payment of $19.99")
                .contains("Reference: " + session);
        assertThat(email.get("html").asText()).contains("<strong>$19.99</strong>");
        assertThat(deliveryStatuses(id)).containsEntry("stripe-receipt", "sent");

        // Stripe delivering the event again, and an operator replaying it: still one receipt
        assertThat(postStripe(event)).isEqualTo(id);
        var replay = hub.request("POST", "/api/v1/webhooks/events/" + id + "/replay?subscriber=stripe-receipt",
                TestHub.ADMIN, "");
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(deliveryStatuses(id).get("stripe-receipt"))
                && replayed(id));
        assertThat(emailsTo("ann@example.com")).hasSize(1);
    }

    @Test
    void zeroAndThreeDecimalCurrenciesAreFormattedAsTheirMinorUnitsSay() {
        postStripe(checkoutCompleted("evt_jpy_" + System.nanoTime(), "cs_test_jpy_" + System.nanoTime(), 1200, "jpy",
                "paid", "jo@example.com", "Jo"));
        postStripe(checkoutCompleted("evt_kwd_" + System.nanoTime(), "cs_test_kwd_" + System.nanoTime(), 12345, "kwd",
                "paid", "kay@example.com", null));

        assertThat(awaitOneEmailTo("jo@example.com").get("subject").asText()).isEqualTo("Your Acme receipt: ¥1,200");
        JsonNode kwd = awaitOneEmailTo("kay@example.com");
        assertThat(kwd.get("subject").asText()).isEqualTo("Your Acme receipt: KWD 12.345");
        // no name on the session: the greeting still reads
        assertThat(kwd.get("text").asText()).startsWith("Hi,");
    }

    @Test
    void aSessionPaidLaterGetsItsReceiptWhenThePaymentSucceeds() {
        String session = "cs_test_async_" + System.nanoTime();
        String completed = postStripe(checkoutCompleted("evt_c_" + session, session, 5000, "eur", "unpaid",
                "bo@example.com", "Bo"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(deliveryStatuses(completed).get("stripe-receipt")));
        assertThat(emailsTo("bo@example.com")).isEmpty();

        String succeeded = postStripe(event("evt_s_" + session, "checkout.session.async_payment_succeeded",
                session, 5000, "eur", "paid", "bo@example.com", "Bo"));
        assertThat(awaitOneEmailTo("bo@example.com").get("subject").asText()).isEqualTo("Your Acme receipt: €50.00");
        assertThat(deliveryStatuses(succeeded)).containsEntry("stripe-receipt", "sent");
    }

    @Test
    void aSessionWithoutACustomerEmailIsHandledWithoutAReceipt() {
        String session = "cs_test_noemail_" + System.nanoTime();
        String id = postStripe(checkoutCompleted("evt_" + session, session, 700, "usd", "paid", null, "Nobody"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(deliveryStatuses(id).get("stripe-receipt")));
        assertThat(emailPayloads()).noneMatch(email -> email.contains(session));
    }

    // --- calendly-booking-sms.camel.yaml ---

    @Test
    void aBookingTextsTheInviteeTheMeetingInTheirTimeZone() {
        String invitee = "https://api.calendly.com/scheduled_events/EV1/invitees/IN" + System.nanoTime();
        String id = postCalendly(calendly("invitee.created", invitee, "+1 (415) 555-2672",
                "America/New_York", false));

        Map<String, String> sms = awaitOneSms();
        assertThat(sms.get("To")).isEqualTo("+14155552672");
        assertThat(sms.get("Body")).isEqualTo("Hi Ann Lee, your 30 Minute Meeting is booked for Tuesday, December 1, "
                + "2026 at 10:00 AM EST. To reschedule: https://calendly.com/reschedulings/AAAA");
        assertThat(deliveryStatuses(id)).containsEntry("calendly-booking-sms", "sent");

        // the same event again is a duplicate; a replay sends no second SMS
        assertThat(postCalendly(calendly("invitee.created", invitee, "+1 415 555 2672", "America/New_York", false)))
                .isEqualTo(id);
        hub.request("POST", "/api/v1/webhooks/events/" + id + "/replay", TestHub.ADMIN, "");
        await().atMost(Duration.ofSeconds(10)).until(() -> replayed(id));
        assertThat(FakeTwilio.requests(twilio)).hasSize(1);
    }

    @Test
    void aCancellationTextsTheInviteeButARescheduleDoesNot() {
        String invitee = "https://api.calendly.com/scheduled_events/EV2/invitees/IN" + System.nanoTime();
        String rescheduled = postCalendly(calendly("invitee.canceled", invitee + "R", "+44 7911 123456",
                "Europe/London", true));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "sent".equals(deliveryStatuses(rescheduled).get("calendly-booking-sms")));
        assertThat(FakeTwilio.requests(twilio)).isEmpty();

        postCalendly(calendly("invitee.canceled", invitee, "+44 7911 123456", "Europe/London", false));
        Map<String, String> sms = awaitOneSms();
        assertThat(sms.get("To")).isEqualTo("+447911123456");
        assertThat(sms.get("Body")).isEqualTo(
                "Hi Ann Lee, your 30 Minute Meeting on Tuesday, December 1, 2026 at 3:00 PM GMT is canceled.");
    }

    @Test
    void anInviteeWithoutATextNumberGetsNoSmsAndABadNumberIsDeadAtOnce() {
        String none = postCalendly(calendly("invitee.created",
                "https://api.calendly.com/scheduled_events/EV3/invitees/N" + System.nanoTime(), null, "UTC", false));
        await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(deliveryStatuses(none).get("calendly-booking-sms")));

        // a number the invitee mistyped can never be sent: dead without retries, the reason on the event
        String bad = postCalendly(calendly("invitee.created",
                "https://api.calendly.com/scheduled_events/EV3/invitees/B" + System.nanoTime(), "+1 12", "UTC", false));
        await().atMost(Duration.ofSeconds(10)).until(() -> "dead".equals(deliveryStatuses(bad).get("calendly-booking-sms")));
        JsonNode delivery = delivery(bad, "calendly-booking-sms");
        assertThat(delivery.get("attempts").asInt()).isEqualTo(1);
        assertThat(delivery.get("lastError").asText()).contains("invalid message").contains("to");
        assertThat(FakeTwilio.requests(twilio)).isEmpty();
    }

    // --- the events, as the providers send them ---

    private static String checkoutCompleted(String eventId, String session, long amount, String currency,
            String paymentStatus, String email, String name) {
        return event(eventId, "checkout.session.completed", session, amount, currency, paymentStatus, email, name);
    }

    private static String event(String eventId, String type, String session, long amount, String currency,
            String paymentStatus, String email, String name) {
        return """
                {
                  "id": "%s",
                  "object": "event",
                  "api_version": "2024-06-20",
                  "created": 1764601200,
                  "type": "%s",
                  "livemode": false,
                  "data": {
                    "object": {
                      "id": "%s",
                      "object": "checkout.session",
                      "amount_subtotal": %d,
                      "amount_total": %d,
                      "currency": "%s",
                      "customer_details": {"email": %s, "name": %s, "phone": null},
                      "mode": "payment",
                      "payment_status": "%s",
                      "status": "complete"
                    }
                  }
                }""".formatted(eventId, type, session, amount, amount, currency, quoted(email), quoted(name),
                paymentStatus);
    }

    private static String calendly(String type, String invitee, String textNumber, String zone, boolean rescheduled) {
        return """
                {
                  "created_at": "2026-11-22T10:00:00.000000Z",
                  "created_by": "https://api.calendly.com/users/AAAA",
                  "event": "%s",
                  "payload": {
                    "uri": "%s",
                    "email": "ann@example.com",
                    "name": "Ann Lee",
                    "status": "%s",
                    "timezone": "%s",
                    "text_reminder_number": %s,
                    "rescheduled": %s,
                    "cancel_url": "https://calendly.com/cancellations/AAAA",
                    "reschedule_url": "https://calendly.com/reschedulings/AAAA",
                    "scheduled_event": {
                      "uri": "https://api.calendly.com/scheduled_events/EV",
                      "name": "30 Minute Meeting",
                      "start_time": "2026-12-01T15:00:00.000000Z",
                      "end_time": "2026-12-01T15:30:00.000000Z"
                    }
                  }
                }""".formatted(type, invitee, type.endsWith("canceled") ? "canceled" : "active", zone,
                quoted(textNumber), rescheduled);
    }

    private static String quoted(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }

    private static String postStripe(String body) {
        return accepted(hub.request("POST", "/webhooks/stripe", null, body, "Stripe-Signature",
                WebhookSignatures.stripe(STRIPE_SECRET, body)));
    }

    private static String postCalendly(String body) {
        return accepted(hub.request("POST", "/webhooks/calendly", null, body, "Calendly-Webhook-Signature",
                WebhookSignatures.calendly(CALENDLY_KEY, body)));
    }

    private static String accepted(java.net.http.HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.parse(response.body()).get("id").asText();
    }

    // --- what the hub did ---

    private static JsonNode event(String id) {
        var response = hub.get("/api/v1/webhooks/events/" + id);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.parse(response.body());
    }

    private static Map<String, String> deliveryStatuses(String id) {
        Map<String, String> statuses = new HashMap<>();
        event(id).get("deliveries").forEach(d -> statuses.put(d.get("subscriber").asText(), d.get("status").asText()));
        return statuses;
    }

    private static JsonNode delivery(String id, String subscriber) {
        for (JsonNode d : event(id).get("deliveries")) {
            if (d.get("subscriber").asText().equals(subscriber)) {
                return d;
            }
        }
        throw new AssertionError("no delivery to " + subscriber);
    }

    /** Whether a replay's delivery has been worked off (the event then has two deliveries, both done). */
    private static boolean replayed(String id) {
        JsonNode deliveries = event(id).get("deliveries");
        if (deliveries.size() < 2) {
            return false;
        }
        for (JsonNode d : deliveries) {
            if (!"sent".equals(d.get("status").asText())) {
                return false;
            }
        }
        return true;
    }

    private static List<String> emailPayloads() {
        return hub.store().inTransaction(c -> {
            List<String> emails = new ArrayList<>();
            try (var ps = c.prepareStatement("SELECT payload FROM outbox_messages WHERE channel = 'email'");
                 var rs = ps.executeQuery()) {
                while (rs.next()) {
                    emails.add(rs.getString(1));
                }
            }
            return emails;
        });
    }

    private static List<JsonNode> emailsTo(String address) {
        return emailPayloads().stream().map(Json::parse)
                .filter(email -> email.get("to").get(0).get("address").asText().equals(address)).toList();
    }

    private static JsonNode awaitOneEmailTo(String address) {
        await().atMost(Duration.ofSeconds(10)).until(() -> emailsTo(address).size() == 1);
        return emailsTo(address).get(0);
    }

    private static Map<String, String> awaitOneSms() {
        await().atMost(Duration.ofSeconds(10)).until(() -> FakeTwilio.requests(twilio).size() == 1);
        return FakeTwilio.form(FakeTwilio.requests(twilio).get(0));
    }
}
