package io.integrationhub.webhooks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.integrationhub.testing.Json;
import io.integrationhub.testing.LogCapture;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /webhooks/{source}} through the real hub: verified on the raw bytes, stored once per event id, answered
 * 200; every refusal a 4xx that stores nothing and never shows a secret.
 */
class WebhookReceiveTest {

    private static final String STRIPE_SECRET = "whsec_stripe_test_secret_0123456789";
    private static final String RESEND_SECRET = "whsec_" + Base64.getEncoder().encodeToString(
            "resend-test-key-0123456789".getBytes(StandardCharsets.UTF_8));
    private static final String TWILIO_TOKEN = "twilio-test-token-0123456789abcdef";

    @TempDir
    static Path data;
    static TestHub hub;

    @BeforeAll
    static void start() {
        hub = TestHub.start(data, Map.of("stripe.webhook-secret", STRIPE_SECRET,
                "webhooks.resend.scheme", "standard", "webhooks.resend.secret", "whsec_b2xkLXNlY3JldA==, " + RESEND_SECRET,
                "twilio.auth-token", TWILIO_TOKEN, "twilio.account-sid", "",
                "hub.public-url", "https://hub.example.com"));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static String hmac(String algorithm, byte[] key, String content) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key, algorithm));
        return HexFormat.of().formatHex(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
    }

    private static String stripeHeader(String body) throws Exception {
        String t = String.valueOf(System.currentTimeMillis() / 1000);
        return "t=" + t + ",v1=" + hmac("HmacSHA256", STRIPE_SECRET.getBytes(StandardCharsets.UTF_8), t + "." + body);
    }

    private static long stored() {
        return hub.context().getRegistry().lookupByNameAndType(WebhookEvents.BEAN, WebhookEvents.class).count();
    }

    @Test
    void aStripeEventIsVerifiedOnItsRawBytesStoredOnceAndAnsweredWithItsId() throws Exception {
        // unusual whitespace and unicode escapes: re-serializing would break the signature
        String body = "{ \"id\" : \"evt_raw_1\",\n\t\"type\":\"checkout.session.completed\", \"name\": \"Jos\\u00e9 \\ud83d\\ude00\" }";
        String signature = stripeHeader(body);
        long before = stored();
        var first = hub.request("POST", "/webhooks/stripe", null, body, "Stripe-Signature", signature);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        var answer = Json.parse(first.body());
        assertThat(answer.get("status").asText()).isEqualTo("accepted");
        assertThat(answer.get("id").asText()).startsWith("evt_");

        var again = hub.request("POST", "/webhooks/stripe", null, body, "Stripe-Signature", stripeHeader(body));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(Json.parse(again.body()).get("status").asText()).isEqualTo("duplicate");
        assertThat(Json.parse(again.body()).get("id").asText()).isEqualTo(answer.get("id").asText());
        assertThat(stored()).isEqualTo(before + 1);

        byte[] kept = hub.store().inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT body, event_type, content_type, headers FROM webhook_events WHERE id = ?")) {
                ps.setString(1, answer.get("id").asText());
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getString(2)).isEqualTo("checkout.session.completed");
                    assertThat(rs.getString(3)).isEqualTo("application/json");
                    assertThat(rs.getString(4)).contains("Stripe-Signature");
                    return rs.getBytes(1);
                }
            }
        });
        assertThat(new String(kept, StandardCharsets.UTF_8)).isEqualTo(body);
    }

    @Test
    void everyVerificationFailureIsTheSame400AndStoresNothing() throws Exception {
        String body = "{\"id\":\"evt_refused\",\"type\":\"x\"}";
        String good = stripeHeader(body);
        String stale = "t=" + (System.currentTimeMillis() / 1000 - 301) + ",v1=" + hmac("HmacSHA256",
                STRIPE_SECRET.getBytes(StandardCharsets.UTF_8), (System.currentTimeMillis() / 1000 - 301) + "." + body);
        long before = stored();
        try (LogCapture log = LogCapture.attach()) {
            for (String[] attempt : List.of(
                    new String[] {body.replace("refused", "tampered"), good},
                    new String[] {body, null},
                    new String[] {body, "garbage"},
                    new String[] {body, stale},
                    new String[] {body, good.replace("v1=", "v1=00")},
                    new String[] {body, "t=" + (System.currentTimeMillis() / 1000 + 400) + ",v1=" + "a".repeat(64)})) {
                var response = attempt[1] == null ? hub.request("POST", "/webhooks/stripe", null, attempt[0])
                        : hub.request("POST", "/webhooks/stripe", null, attempt[0], "Stripe-Signature", attempt[1]);
                assertThat(response.statusCode()).as(attempt[1]).isEqualTo(400);
                assertThat(response.body()).contains("signature verification failed").doesNotContain(STRIPE_SECRET);
            }
            assertThat(log.linesContainingAnyOf(List.of("Webhook from stripe refused"))).hasSize(6);
            assertThat(log.linesContainingAnyOf(List.of(STRIPE_SECRET, STRIPE_SECRET.substring(6)))).isEmpty();
        }
        // a valid signature over a body that is not JSON
        var notJson = hub.request("POST", "/webhooks/stripe", null, "not json", "Stripe-Signature", stripeHeader("not json"));
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("not valid JSON");
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void unknownSourcesAre404AndASourceWithoutASecretDoesNotExist() {
        for (String path : List.of("/webhooks/github", "/webhooks/nope", "/webhooks/STRIPE", "/webhooks/%2e%2e",
                "/webhooks/calendly")) {
            var response = hub.request("POST", path, null, "{}");
            assertThat(response.statusCode()).as(path).isIn(400, 404);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
        }
    }

    @Test
    void aStandardWebhooksSourceDeclaredByConfigurationTakesEitherSecretOfARotation() throws Exception {
        String body = "{\"type\":\"email.delivered\",\"data\":{\"email_id\":\"e1\"}}";
        String id = "msg_" + System.nanoTime();
        String t = String.valueOf(System.currentTimeMillis() / 1000);
        byte[] key = Base64.getDecoder().decode(RESEND_SECRET.substring("whsec_".length()));
        String signature = "v1," + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(
                hmac("HmacSHA256", key, id + "." + t + "." + body)));
        var response = hub.request("POST", "/webhooks/resend", null, body, "svix-id", id, "svix-timestamp", t,
                "svix-signature", signature);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(Json.parse(response.body()).get("status").asText()).isEqualTo("accepted");
    }

    @Test
    void aTwilioFormIsVerifiedOverThePublicUrlAndItsParametersRepeatedOnesIncluded() throws Exception {
        String form = "MessageSid=SM" + "1".repeat(32) + "&MessageStatus=delivered&AccountSid=AC" + "2".repeat(32)
                + "&MediaUrl=https%3A%2F%2Fb.example&MediaUrl=https%3A%2F%2Fa.example&Body=caf%C3%A9+%2B1";
        String url = "https://hub.example.com/webhooks/twilio?attempt=1";
        String signed = url + "AccountSidAC" + "2".repeat(32) + "Bodycafé +1" + "MediaUrlhttps://a.example"
                + "MediaUrlhttps://b.example" + "MessageSidSM" + "1".repeat(32) + "MessageStatusdelivered";
        String signature = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(
                hmac("HmacSHA1", TWILIO_TOKEN.getBytes(StandardCharsets.UTF_8), signed)));
        var response = hub.send(java.net.http.HttpRequest.newBuilder(hub.uri("/webhooks/twilio?attempt=1"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-Twilio-Signature", signature)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String id = Json.parse(response.body()).get("id").asText();
        String type = hub.store().inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT event_type, event_id FROM webhook_events WHERE id = ?")) {
                ps.setString(1, id);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1) + " " + rs.getString(2);
                }
            }
        });
        assertThat(type).isEqualTo("message.delivered SM" + "1".repeat(32) + ":delivered");

        // the Host header plays no part: the same request signed for another URL is refused
        var elsewhere = hub.send(java.net.http.HttpRequest.newBuilder(hub.uri("/webhooks/twilio?attempt=2"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-Twilio-Signature", signature)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build());
        assertThat(elsewhere.statusCode()).isEqualTo(400);
    }
}
