package io.integrationhub.webhooks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each scheme against the providers' published test vectors, and refusing what must be refused: a tampered body, a
 * wrong secret, a missing or malformed header, a stale and a future timestamp, a flood of signatures.
 */
class SignatureSchemesTest {

    private static final Duration TOLERANCE = Duration.ofSeconds(300);

    private static SignedRequest request(String body, Map<String, String> headers, String url) {
        return request(body.getBytes(StandardCharsets.UTF_8), headers, url);
    }

    private static SignedRequest request(byte[] body, Map<String, String> headers, String url) {
        Map<String, List<String>> multi = new LinkedHashMap<>();
        headers.forEach((name, value) -> multi.put(name, List.of(value)));
        return new SignedRequest(body, multi, url);
    }

    private static String hmacHex(String algorithm, byte[] key, String content) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key, algorithm));
        return HexFormat.of().formatHex(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
    }

    // --- GitHub: the example in GitHub's documentation ("Validating webhook deliveries")

    @Test
    void githubsPublishedExampleVerifies() {
        SignedRequest request = request("Hello, World!", Map.of("X-Hub-Signature-256",
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"), "https://hub.example.com/webhooks/github");
        assertThatCode(() -> HmacScheme.github().verify(request, List.of("It's a Secret to Everybody"), Instant.now()))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> HmacScheme.github().verify(request, List.of("another secret"), Instant.now()))
                .isInstanceOf(VerificationFailure.class);
        SignedRequest tampered = request("Hello, World?", request.headers().entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get(0))), request.publicUrl());
        assertThatThrownBy(() -> HmacScheme.github().verify(tampered, List.of("It's a Secret to Everybody"), Instant.now()))
                .isInstanceOf(VerificationFailure.class);
        // during a rotation, the new secret beside the old
        assertThatCode(() -> HmacScheme.github().verify(request, List.of("new secret", "It's a Secret to Everybody"), Instant.now()))
                .doesNotThrowAnyException();
    }

    // --- Twilio: the example in Twilio's documentation ("Validating signatures from Twilio")

    @Test
    void twiliosPublishedExampleVerifiesWithAndWithoutTheDefaultPort() {
        String form = "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212";
        Map<String, String> headers = Map.of("X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
                "Content-Type", "application/x-www-form-urlencoded");
        TwilioScheme scheme = new TwilioScheme();
        assertThatCode(() -> scheme.verify(request(form, headers, "https://mycompany.com/myapp.php?foo=1&bar=2"),
                List.of("12345"), Instant.now())).doesNotThrowAnyException();
        assertThatCode(() -> scheme.verify(request(form, headers, "https://mycompany.com:443/myapp.php?foo=1&bar=2"),
                List.of("12345"), Instant.now())).doesNotThrowAnyException();
        assertThatThrownBy(() -> scheme.verify(request(form, headers, "https://mycompany.com/myapp.php?foo=1&bar=3"),
                List.of("12345"), Instant.now())).isInstanceOf(VerificationFailure.class);
        assertThatThrownBy(() -> scheme.verify(request(form.replace("1234&", "1235&"), headers,
                "https://mycompany.com/myapp.php?foo=1&bar=2"), List.of("12345"), Instant.now()))
                .isInstanceOf(VerificationFailure.class);
        assertThatThrownBy(() -> scheme.verify(request(form, headers, "https://mycompany.com/myapp.php?foo=1&bar=2"),
                List.of("54321"), Instant.now())).isInstanceOf(VerificationFailure.class);
    }

    @Test
    void twilioJsonBodiesAreSignedThroughBodySha256AndRepeatedFormParametersVerify() throws Exception {
        String token = "twilio-test-token";
        String json = "{\"a\": \"caf\\u00e9\",   \"b\":[1,2]}";
        String bodySha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(json.getBytes(StandardCharsets.UTF_8)));
        String url = "https://hub.example.com/webhooks/twilio?bodySHA256=" + bodySha;
        String signature = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(
                hmacHex("HmacSHA1", token.getBytes(StandardCharsets.UTF_8), url)));
        Map<String, String> headers = Map.of("X-Twilio-Signature", signature, "Content-Type", "application/json");
        assertThatCode(() -> new TwilioScheme().verify(request(json, headers, url), List.of(token), Instant.now()))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> new TwilioScheme().verify(request(json.replace("1,2", "1,3"), headers, url),
                List.of(token), Instant.now())).isInstanceOf(VerificationFailure.class);

        // a form with a repeated parameter: sorted by name, then value
        String form = "To=%2B14155552671&MediaUrl=https%3A%2F%2Fb.example&MediaUrl=https%3A%2F%2Fa.example&Body=caf%C3%A9";
        String formUrl = "https://hub.example.com/webhooks/twilio";
        String signed = formUrl + "Bodycafé" + "MediaUrlhttps://a.example" + "MediaUrlhttps://b.example" + "To+14155552671";
        String formSignature = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(
                hmacHex("HmacSHA1", token.getBytes(StandardCharsets.UTF_8), signed)));
        assertThatCode(() -> new TwilioScheme().verify(request(form, Map.of("X-Twilio-Signature", formSignature,
                "Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), formUrl), List.of(token), Instant.now()))
                .doesNotThrowAnyException();
    }

    // --- Standard Webhooks: the test vector of the specification's reference libraries

    @Test
    void standardWebhooksTestVectorVerifiesUnderBothHeaderNames() {
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        String body = "{\"test\": 2432232314}";
        Instant sentAt = Instant.ofEpochSecond(1614265330);
        String signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        StandardWebhooksScheme scheme = new StandardWebhooksScheme(TOLERANCE);
        for (String prefix : List.of("webhook-", "svix-")) {
            SignedRequest request = request(body, Map.of(prefix + "id", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                    prefix + "timestamp", "1614265330", prefix + "signature", "v1,bm90IHRoaXMgb25l " + signature),
                    "https://hub.example.com/webhooks/resend");
            assertThatCode(() -> scheme.verify(request, List.of(secret), sentAt.plusSeconds(10))).doesNotThrowAnyException();
            // the same request replayed later than the tolerance, or dated in the future
            assertThatThrownBy(() -> scheme.verify(request, List.of(secret), sentAt.plusSeconds(301)))
                    .isInstanceOf(VerificationFailure.class).hasMessageContaining("too old");
            assertThatThrownBy(() -> scheme.verify(request, List.of(secret), sentAt.minusSeconds(301)))
                    .isInstanceOf(VerificationFailure.class).hasMessageContaining("future");
            assertThatThrownBy(() -> scheme.verify(request, List.of("whsec_" + Base64.getEncoder()
                    .encodeToString("another key".getBytes(StandardCharsets.UTF_8))), sentAt))
                    .isInstanceOf(VerificationFailure.class).hasMessage("no v1 signature matches");
        }
        assertThat(StandardWebhooksScheme.id(request(body, Map.of("svix-id", "msg_1"), "https://x"))).isEqualTo("msg_1");
    }

    // --- Stripe (and Calendly, which signs the same way)

    @Test
    void stripeSignaturesVerifyOverTheTimestampAndTheRawBody() throws Exception {
        String secret = "whsec_test_secret_not_real";
        Instant now = Instant.ofEpochSecond(1_800_000_000L);
        // unusual whitespace and unicode escapes: the bytes as sent are what is signed
        String body = "{\n  \"id\": \"evt_1\",\t\"type\": \"checkout.session.completed\", \"name\": \"Jos\\u00e9\" }";
        String t = String.valueOf(now.getEpochSecond() - 5);
        String v1 = hmacHex("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8), t + "." + body);
        TimestampedSignatureScheme stripe = TimestampedSignatureScheme.stripe(TOLERANCE);
        String header = "t=" + t + ",v1=" + "0".repeat(64) + ",v1=" + v1 + ",v0=" + "1".repeat(64);
        assertThatCode(() -> stripe.verify(request(body, Map.of("Stripe-Signature", header), "https://x"), List.of(secret), now))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> stripe.verify(request(body.replace("evt_1", "evt_2"), Map.of("Stripe-Signature", header),
                "https://x"), List.of(secret), now)).isInstanceOf(VerificationFailure.class);
        // the signature of another timestamp (an old signature replayed with a fresh t)
        String replayed = "t=" + now.getEpochSecond() + ",v1=" + v1;
        assertThatThrownBy(() -> stripe.verify(request(body, Map.of("Stripe-Signature", replayed), "https://x"),
                List.of(secret), now)).isInstanceOf(VerificationFailure.class);
        assertThatThrownBy(() -> stripe.verify(request(body, Map.of("Stripe-Signature", header), "https://x"),
                List.of(secret), now.plusSeconds(400))).isInstanceOf(VerificationFailure.class).hasMessageContaining("too old");
        for (String malformed : List.of("", "garbage", "t=abc,v1=" + v1, "v1=" + v1, "t=" + t, "t=" + t + ",v1=zz")) {
            assertThatThrownBy(() -> stripe.verify(request(body, Map.of("Stripe-Signature", malformed), "https://x"),
                    List.of(secret), now)).as(malformed).isInstanceOf(VerificationFailure.class);
        }
        assertThatThrownBy(() -> stripe.verify(request(body, Map.of(), "https://x"), List.of(secret), now))
                .isInstanceOf(VerificationFailure.class).hasMessage("no Stripe-Signature header");
        String flood = "t=" + t + (",v1=" + "0".repeat(64)).repeat(10_000) + ",v1=" + v1;
        assertThatThrownBy(() -> stripe.verify(request(body, Map.of("Stripe-Signature", flood), "https://x"),
                List.of(secret), now)).isInstanceOf(VerificationFailure.class).hasMessageContaining("too many");

        String calendlyHeader = "t=" + t + ",v1=" + v1;
        assertThatCode(() -> TimestampedSignatureScheme.calendly(TOLERANCE).verify(request(body,
                Map.of("Calendly-Webhook-Signature", calendlyHeader), "https://x"), List.of(secret), now))
                .doesNotThrowAnyException();
    }

    // --- any sender with a shared secret

    @Test
    void aGenericHmacSourceVerifiesEachAlgorithmEncodingAndTheSignedTimestamp() throws Exception {
        String secret = "shared-secret";
        String body = "{\"event\":\"x\"}";
        for (String algorithm : List.of("sha1", "sha256", "sha512")) {
            String javaName = "Hmac" + algorithm.toUpperCase(Locale.ROOT);
            String hex = hmacHex(javaName, secret.getBytes(StandardCharsets.UTF_8), body);
            String base64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
            assertThatCode(() -> new HmacScheme("X-Signature", algorithm, "hex", "", null, TOLERANCE)
                    .verify(request(body, Map.of("X-Signature", hex), "https://x"), List.of(secret), Instant.now()))
                    .doesNotThrowAnyException();
            assertThatCode(() -> new HmacScheme("X-Signature", algorithm, "base64", algorithm + "=", null, TOLERANCE)
                    .verify(request(body, Map.of("X-Signature", algorithm + "=" + base64), "https://x"), List.of(secret),
                            Instant.now())).doesNotThrowAnyException();
        }
        Instant now = Instant.ofEpochSecond(1_800_000_000L);
        String t = String.valueOf(now.getEpochSecond());
        String signed = hmacHex("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8), t + "." + body);
        HmacScheme timed = new HmacScheme("X-Signature", "sha256", "hex", "", "X-Timestamp", TOLERANCE);
        assertThatCode(() -> timed.verify(request(body, Map.of("X-Signature", signed, "X-Timestamp", t), "https://x"),
                List.of(secret), now)).doesNotThrowAnyException();
        assertThatThrownBy(() -> timed.verify(request(body, Map.of("X-Signature", signed, "X-Timestamp", t), "https://x"),
                List.of(secret), now.plusSeconds(301))).isInstanceOf(VerificationFailure.class);
        assertThatThrownBy(() -> timed.verify(request(body, Map.of("X-Signature", signed), "https://x"),
                List.of(secret), now)).isInstanceOf(VerificationFailure.class).hasMessage("no timestamp");
        assertThatThrownBy(() -> new HmacScheme("X-Signature", "md5", "hex", "", null, TOLERANCE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HmacScheme.github().verify(request(body, Map.of("X-Hub-Signature-256", "sha256=" + signed),
                "https://x"), List.of(), now)).isInstanceOf(VerificationFailure.class).hasMessage("the source has no secret");
    }

    @Test
    void failuresNeverCarryTheSecret() {
        String secret = "whsec_c2VjcmV0LXRoYXQtbXVzdC1ub3QtbGVhaw==";
        List<SignatureScheme> schemes = List.of(TimestampedSignatureScheme.stripe(TOLERANCE), new StandardWebhooksScheme(TOLERANCE),
                HmacScheme.github(), new TwilioScheme());
        for (SignatureScheme scheme : schemes) {
            SignedRequest request = request("{}", Map.of("Stripe-Signature", "t=1,v1=00", "webhook-id", "1",
                    "webhook-timestamp", "1", "webhook-signature", "v1,AA==", "X-Hub-Signature-256", "sha256=00",
                    "X-Twilio-Signature", "AA==", "Content-Type", "application/json"), "https://x/webhooks/s?bodySHA256=00");
            assertThatThrownBy(() -> scheme.verify(request, List.of(secret), Instant.now()))
                    .isInstanceOf(VerificationFailure.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret).doesNotContain("c2VjcmV0"));
        }
    }
}
