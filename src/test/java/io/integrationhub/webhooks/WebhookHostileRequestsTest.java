package io.integrationhub.webhooks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.integrationhub.testing.LogCapture;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests an attacker, a misconfigured sender or a broken proxy would send to {@code /webhooks/...}: each gets a
 * 4xx, nothing is stored, and no response or log line shows a secret.
 */
class WebhookHostileRequestsTest {

    private static final String STRIPE = "whsec_hostile_stripe_secret_0123456789";
    private static final String STANDARD = "whsec_" + Base64.getEncoder().encodeToString(
            "hostile-standard-key".getBytes(StandardCharsets.UTF_8));
    private static final String TWILIO = "hostile-twilio-token-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path data;
    static TestHub hub;
    static LogCapture log;

    @BeforeAll
    static void start() {
        log = LogCapture.attach();
        hub = TestHub.start(data, Map.of("stripe.webhook-secret", STRIPE, "webhooks.svix.scheme", "standard",
                "webhooks.svix.secret", STANDARD, "twilio.auth-token", TWILIO, "hub.public-url", "https://hub.example.com"));
    }

    @AfterAll
    static void stop() {
        hub.close();
        log.close();
    }

    private static String hex(String key, String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String now() {
        return String.valueOf(System.currentTimeMillis() / 1000);
    }

    /** A Stripe-Signature valid for this body now. */
    private static String stripe(String body) {
        String t = now();
        return "t=" + t + ",v1=" + hex(STRIPE, t + "." + body);
    }

    private static Arguments row(String name, String method, String path, String contentType, String body, String... headers) {
        return Arguments.of(name, method, path, contentType, body, headers);
    }

    static Stream<Arguments> hostile() {
        String event = "{\"id\":\"evt_hostile\",\"type\":\"x\"}";
        String big = "{\"id\":\"evt_big\",\"pad\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        String flood = "t=" + now() + (",v1=" + "0".repeat(64)).repeat(10_000);
        String longId = "{\"id\":\"" + "e".repeat(300) + "\",\"type\":\"x\"}";
        List<Arguments> rows = new ArrayList<>(List.of(
                row("a body over the limit", "POST", "/webhooks/stripe", "application/json", big, "Stripe-Signature", stripe(big)),
                row("no signature", "POST", "/webhooks/stripe", "application/json", event),
                row("an empty signature", "POST", "/webhooks/stripe", "application/json", event, "Stripe-Signature", ""),
                row("10,000 signatures in one header", "POST", "/webhooks/stripe", "application/json", event, "Stripe-Signature", flood),
                row("a very long header", "POST", "/webhooks/stripe", "application/json", event, "Stripe-Signature", "t=1,v1=" + "a".repeat(7000)),
                row("a timestamp that is not a number", "POST", "/webhooks/stripe", "application/json", event,
                        "Stripe-Signature", "t=abc,v1=" + hex(STRIPE, "abc." + event)),
                row("a negative timestamp", "POST", "/webhooks/stripe", "application/json", event,
                        "Stripe-Signature", "t=-1,v1=" + hex(STRIPE, "-1." + event)),
                row("a stale timestamp", "POST", "/webhooks/stripe", "application/json", event, "Stripe-Signature",
                        "t=" + (Long.parseLong(now()) - 600) + ",v1=" + hex(STRIPE, (Long.parseLong(now()) - 600) + "." + event)),
                row("a future timestamp", "POST", "/webhooks/stripe", "application/json", event, "Stripe-Signature",
                        "t=" + (Long.parseLong(now()) + 600) + ",v1=" + hex(STRIPE, (Long.parseLong(now()) + 600) + "." + event)),
                row("a signature that is not hex", "POST", "/webhooks/stripe", "application/json", event, "Stripe-Signature", "t=" + now() + ",v1=zz"),
                row("a signature of the wrong length", "POST", "/webhooks/stripe", "application/json", event, "Stripe-Signature", "t=" + now() + ",v1=abcd"),
                row("the signature of another body", "POST", "/webhooks/stripe", "application/json", event, "Stripe-Signature", stripe("{}")),
                row("a signature with the wrong secret", "POST", "/webhooks/stripe", "application/json", event, "Stripe-Signature",
                        "t=" + now() + ",v1=" + hex("whsec_other", now() + "." + event)),
                row("only a v0 signature", "POST", "/webhooks/stripe", "application/json", event, "Stripe-Signature",
                        "t=" + now() + ",v0=" + hex(STRIPE, now() + "." + event)),
                row("a valid signature over invalid JSON", "POST", "/webhooks/stripe", "application/json", "{not json", "Stripe-Signature", stripe("{not json")),
                row("a valid signature over a JSON array", "POST", "/webhooks/stripe", "application/json", "[1,2]", "Stripe-Signature", stripe("[1,2]")),
                row("a valid signature over an event without id", "POST", "/webhooks/stripe", "application/json", "{\"type\":\"x\"}",
                        "Stripe-Signature", stripe("{\"type\":\"x\"}")),
                row("an event id of 300 characters", "POST", "/webhooks/stripe", "application/json", longId, "Stripe-Signature", stripe(longId)),
                row("a valid signature, the wrong content type", "POST", "/webhooks/stripe", "text/plain", event, "Stripe-Signature", stripe(event)),
                row("a valid signature, a form content type", "POST", "/webhooks/stripe", "application/x-www-form-urlencoded", event,
                        "Stripe-Signature", stripe(event)),
                row("an unknown source", "POST", "/webhooks/paypal", "application/json", event),
                row("a source in upper case", "POST", "/webhooks/STRIPE", "application/json", event, "Stripe-Signature", stripe(event)),
                row("unicode in the source name", "POST", "/webhooks/str%C3%AFpe", "application/json", event, "Stripe-Signature", stripe(event)),
                row("a dot-dot source", "POST", "/webhooks/%2e%2e", "application/json", event),
                row("a double-encoded dot-dot source", "POST", "/webhooks/%252e%252e", "application/json", event),
                row("a NUL in the source name", "POST", "/webhooks/stripe%00", "application/json", event, "Stripe-Signature", stripe(event)),
                row("a source name of 200 characters", "POST", "/webhooks/" + "s".repeat(200), "application/json", event),
                row("a path below the source", "POST", "/webhooks/stripe/extra", "application/json", event, "Stripe-Signature", stripe(event)),
                row("no source", "POST", "/webhooks/", "application/json", event),
                row("a way out to the API", "POST", "/webhooks/../api/v1/keys", "application/json", "{\"name\":\"x\",\"role\":\"admin\"}"),
                row("GET", "GET", "/webhooks/stripe", null, null),
                row("PUT", "PUT", "/webhooks/stripe", "application/json", event, "Stripe-Signature", stripe(event)),
                row("Standard Webhooks without webhook-id", "POST", "/webhooks/svix", "application/json", event,
                        "webhook-timestamp", now(), "webhook-signature", "v1,AAAA"),
                row("Standard Webhooks with a signature that is not base64", "POST", "/webhooks/svix", "application/json", event,
                        "webhook-id", "msg_1", "webhook-timestamp", now(), "webhook-signature", "v1,!!!"),
                row("Standard Webhooks with only another version", "POST", "/webhooks/svix", "application/json", event,
                        "webhook-id", "msg_1", "webhook-timestamp", now(), "webhook-signature", "v2,AAAA"),
                row("Twilio without its signature", "POST", "/webhooks/twilio", "application/x-www-form-urlencoded", "MessageSid=SM1&MessageStatus=sent"),
                row("Twilio signed for other parameters", "POST", "/webhooks/twilio", "application/x-www-form-urlencoded",
                        "MessageSid=SM1&MessageStatus=delivered", "X-Twilio-Signature", "bm90IHRoaXMgb25lIGF0IGFsbA==")));
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void isA4xxThatStoresNothingAndShowsNoSecret(String name, String method, String path, String contentType, String body,
            String[] headers) throws Exception {
        WebhookEvents events = hub.context().getRegistry().lookupByNameAndType(WebhookEvents.BEAN, WebhookEvents.class);
        long before = events.count();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + hub.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        int status;
        String answer;
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            status = response.statusCode();
            answer = response.body();
        } catch (java.io.IOException closed) {
            // a server may close the connection on a request it will not read (the body over the limit): no answer,
            // and nothing stored, is also a refusal
            status = 400;
            answer = "";
        }
        assertThat(status).as(name + ": " + answer).isBetween(400, 499);
        assertThat(events.count()).as(name + ": nothing stored").isEqualTo(before);
        for (String secret : List.of(STRIPE, STANDARD, TWILIO, STRIPE.substring(6), STANDARD.substring(6))) {
            assertThat(answer).doesNotContain(secret);
            assertThat(log.linesContainingAnyOf(List.of(secret))).as(name + ": a secret in the log").isEmpty();
        }
    }
}
