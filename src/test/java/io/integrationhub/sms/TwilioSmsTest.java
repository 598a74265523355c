package io.integrationhub.sms;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.integrationhub.delivery.CircuitBreakers;
import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.testing.HttpProviderContract;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.ProviderStubs;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.integrationhub.testing.ProviderStubs.answerInTurn;
import static io.integrationhub.testing.ProviderStubs.posts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Twilio's Messages API played by WireMock: the HTTP provider contract ({@link HttpProviderContract}) with Twilio's
 * answers (201 with the message's {@code sid}; {@code {code, message, more_info, status}} errors), and what is
 * Twilio's own: the exact form request (Basic auth, To in E.164, From or MessagingServiceSid, MediaUrl repeated,
 * StatusCallback), Twilio's error codes kept with the recipient's number masked, the breaker handing traffic to
 * the console fallback while Twilio fails, and a hub that will not start without Twilio's credentials.
 */
class TwilioSmsTest extends HttpProviderContract {

    static final String ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
    static final String AUTH_TOKEN = "fake-twilio-auth-token-not-a-secret";
    static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString((ACCOUNT_SID + ":" + AUTH_TOKEN).getBytes(StandardCharsets.UTF_8));
    static final String PATH = "/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages.json";
    static final String FROM = "+15005550006";
    static final String MESSAGING_SERVICE_SID = "MG0123456789abcdef0123456789abcdef";
    static final String PUBLIC_URL = "https://hub.example.com";
    /** The recipient, and its digits as any log or reason must never show them. */
    static final String TO = "+14155552671";
    static final String TO_DIGITS = "4155552671";

    @Override
    protected String channel() {
        return "sms";
    }

    @Override
    protected String provider() {
        return "sms-twilio";
    }

    @Override
    protected String path() {
        return PATH;
    }

    @Override
    protected Map<String, String> settings(String baseUrl) {
        return twilio(baseUrl);
    }

    @Override
    protected List<String> secrets() {
        return List.of(AUTH_TOKEN, BASIC.substring("Basic ".length()));
    }

    @Override
    protected List<String> neverLogged() {
        return List.of(TO_DIGITS);
    }

    @Override
    protected String message() {
        return """
                {"to": "+14155552671", "body": "Your code is 123456"}""";
    }

    @Override
    protected ResponseDefinitionBuilder accepted(String providerMessageId) {
        return created(providerMessageId);
    }

    /** Twilio's documented refusals: 400 with its error codes, the number in its message masked; 401 20003. */
    @Override
    protected List<ProviderAnswer> refusals() {
        return List.of(
                error(400, 21211, "The 'To' number " + TO + " is not a valid phone number.")
                        .hiding(TO, TO_DIGITS),
                error(400, 21408, "Permission to send an SMS has not been enabled for the region indicated by the "
                        + "'To' number: " + TO + ".").hiding(TO, TO_DIGITS),
                error(400, 21610, "Attempt to send to unsubscribed recipient " + TO + ".").hiding(TO, TO_DIGITS),
                error(400, 21614, "The 'To' number " + TO + " is not a valid mobile number.").hiding(TO, TO_DIGITS),
                credentials(401, "Authenticate"));
    }

    @Override
    protected ResponseDefinitionBuilder credentialsRefused(int status) {
        return credentials(status, status == 401 ? "Authenticate" : "Permission Denied").response();
    }

    @Override
    protected ResponseDefinitionBuilder tooManyRequests() {
        return error(429, 20429, "Too Many Requests").response();
    }

    @Override
    protected ProviderAnswer serverError(int status) {
        return status == 503 ? error(503, 20503, "Service Unavailable")
                : error(status, 20500, "An internal server error has occurred");
    }

    // ---- Twilio's own ----

    @Test
    void postsTheDocumentedFormWithBasicAuthAndKeepsTheSid() {
        answerInTurn(wiremock, PATH, created("SM0123456789abcdef0123456789abcdef"));

        // a national number, read in the default region (US); a body that needs form encoding; two media URLs
        String id = accept("""
                {"to": "(415) 555-2671", "body": "Order #42 & more: café = ready 100%",
                 "mediaUrls": ["https://cdn.example.com/a.png", "https://cdn.example.com/b.jpg?size=large&x=1"]}""");

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.provider()).isEqualTo("sms-twilio");
        assertThat(sent.providerMessageId()).isEqualTo("SM0123456789abcdef0123456789abcdef");
        assertThat(sent.attempts()).isEqualTo(1);

        wiremock.verify(1, postRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", equalTo(BASIC))
                .withHeader("Content-Type", matching("application/x-www-form-urlencoded(;\\s*charset=(?i)utf-8)?"))
                .withFormParam("To", equalTo(TO))
                .withFormParam("From", equalTo(FROM))
                .withFormParam("StatusCallback", equalTo(PUBLIC_URL + "/webhooks/twilio")));
        assertThat(wiremock.getAllServeEvents()).hasSize(1);
        LoggedRequest request = posts(wiremock, PATH).get(0);
        // every field once, MediaUrl twice and in the order given, nothing else
        assertThat(formFields(request.getBodyAsString())).isEqualTo(Map.of(
                "To", List.of(TO),
                "From", List.of(FROM),
                "Body", List.of("Order #42 & more: café = ready 100%"),
                "MediaUrl", List.of("https://cdn.example.com/a.png", "https://cdn.example.com/b.jpg?size=large&x=1"),
                "StatusCallback", List.of(PUBLIC_URL + "/webhooks/twilio")));
        assertThat(request.getHeaders().keys()).noneMatch(h -> h.startsWith("Camel") || h.startsWith("hub"));
        assertThat(request.getHeader("Authorization")).doesNotContain(TestHub.ADMIN_KEY);

        JsonNode view = view(id);
        assertThat(view.get("status").asText()).isEqualTo("sent");
        assertThat(view.get("provider").asText()).isEqualTo("sms-twilio");
        assertThat(view.get("providerMessageId").asText()).isEqualTo("SM0123456789abcdef0123456789abcdef");
    }

    @Test
    void aMessagingServiceReplacesFromAndNoPublicUrlMeansNoStatusCallback(@TempDir Path own) {
        WireMockServer twilio = ProviderStubs.start();
        Map<String, String> settings = twilio("http://localhost:" + twilio.port());
        settings.remove("twilio.phone-number");
        settings.remove("hub.public-url");
        settings.put("twilio.messaging-service-sid", MESSAGING_SERVICE_SID);
        try (TestHub withService = TestHub.start(own, settings)) {
            answerInTurn(twilio, PATH, created("SMfedcba9876543210fedcba9876543210"));

            var response = withService.post("/api/v1/sms", message());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            String id = Json.parse(response.body()).get("id").asText();

            OutboxMessage sent = withService.awaitStatus(id, OutboxMessage.SENT, SETTLE);
            assertThat(sent.providerMessageId()).isEqualTo("SMfedcba9876543210fedcba9876543210");
            twilio.verify(1, postRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", equalTo(BASIC)));
            assertThat(formFields(posts(twilio, PATH).get(0).getBodyAsString())).isEqualTo(Map.of(
                    "To", List.of(TO),
                    "MessagingServiceSid", List.of(MESSAGING_SERVICE_SID),
                    "Body", List.of("Your code is 123456")));
        } finally {
            twilio.stop();
        }
    }

    @Test
    void rateLimitAndServerErrorsKeepTwiliosCodeUntilTheMessageIsSent() {
        answerInTurn(wiremock, PATH,
                tooManyRequests().withHeader("Retry-After", "1"),
                serverError(503).response(),
                created("SMafter429and503aaaaaaaaaaaaaaaaa"));

        String id = accept(message());

        // between the attempts the message shows why it waits, Twilio's code included (after the 429 or the 503:
        // which one a loaded machine lets this test see first is not the point)
        OutboxMessage waiting = hub.awaitStatus(id, OutboxMessage.FAILED, SETTLE);
        assertThat(waiting.providerErrorCode()).isIn("20429", "20503");
        assertThat(waiting.lastError()).contains("Twilio error " + waiting.providerErrorCode());
        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.attempts()).isEqualTo(3);
        assertThat(sent.providerMessageId()).isEqualTo("SMafter429and503aaaaaaaaaaaaaaaaa");
        // once Twilio accepted it, an earlier failure's code no longer describes the message
        assertThat(sent.providerErrorCode()).isNull();
        assertThat(view(id).get("providerErrorCode").isNull()).isTrue();
        wiremock.verify(3, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void repeatedServerErrorsOpenTheBreakerAndTheConsoleCarriesTheTrafficMeanwhile(@TempDir Path own) {
        WireMockServer twilio = ProviderStubs.start();
        Map<String, String> settings = twilio("http://localhost:" + twilio.port());
        settings.put("sms.fallback-provider", "console");
        settings.put("sms.retry-schedule", "none");
        settings.put("breaker.sms-twilio.minimum-number-of-calls", "3");
        settings.put("breaker.sms-twilio.sliding-window-size", "3");
        settings.put("breaker.sms-twilio.failure-rate-threshold", "50");
        // long enough that the fallback is seen while open on a loaded machine, short enough to see it close
        settings.put("breaker.sms-twilio.wait-duration-in-open-state-seconds", "5");
        try (TestHub fallbackHub = TestHub.start(own, settings)) {
            CircuitBreaker breaker = CircuitBreakers.of(fallbackHub.context()).find("sms-twilio").orElseThrow();
            answerInTurn(twilio, PATH, error(500, 20500, "An internal server error has occurred").response());

            // a failing Twilio is not yet a reason to use the fallback: each failure is reported (and counted)
            List<String> failing = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                failing.add(accept(fallbackHub, message()));
            }
            for (String id : failing) {
                OutboxMessage dead = fallbackHub.awaitStatus(id, OutboxMessage.DEAD, SETTLE);
                assertThat(dead.provider()).isEqualTo("sms-twilio");
                assertThat(dead.lastError()).contains("HTTP 500");
            }
            twilio.verify(3, postRequestedFor(urlEqualTo(PATH)));
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
            assertThat(breakerHealthMessage(fallbackHub)).contains("sms-twilio=OPEN");

            // an open Twilio is: the console takes the message, and Twilio is not called
            String viaConsole = accept(fallbackHub, message());
            OutboxMessage sent = fallbackHub.awaitStatus(viaConsole, OutboxMessage.SENT, SETTLE);
            assertThat(sent.provider()).isEqualTo("sms-console");
            assertThat(sent.providerMessageId()).startsWith("console-");
            assertThat(sent.attempts()).isEqualTo(1);
            twilio.verify(3, postRequestedFor(urlEqualTo(PATH)));
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
            assertThat(breakerHealthMessage(fallbackHub)).contains("sms-twilio=OPEN");

            // Twilio recovers: after the wait a trial call goes through, and traffic is back on Twilio
            twilio.resetAll();
            answerInTurn(twilio, PATH, created("SMback0000000000000000000000000000"));
            await().atMost(Duration.ofSeconds(15)).until(() -> breaker.getState() == CircuitBreaker.State.HALF_OPEN);
            String back = accept(fallbackHub, message());
            OutboxMessage onTwilio = fallbackHub.awaitStatus(back, OutboxMessage.SENT, SETTLE);
            assertThat(onTwilio.provider()).isEqualTo("sms-twilio");
            assertThat(onTwilio.providerMessageId()).isEqualTo("SMback0000000000000000000000000000");
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(breakerHealthMessage(fallbackHub)).contains("sms-twilio=CLOSED");
            twilio.verify(1, postRequestedFor(urlEqualTo(PATH)));
        } finally {
            twilio.stop();
        }
    }

    @ParameterizedTest(name = "account SID \"{0}\", auth token \"{1}\"")
    @CsvSource(value = {
            "'', " + AUTH_TOKEN,
            "'', ''",
            ACCOUNT_SID + ", ''",
            "ACnot-a-real-sid-but-looks-secret, " + AUTH_TOKEN})
    void theHubWillNotStartWithTwilioChosenAndItsCredentialsMissing(String sid, String token, @TempDir Path own) {
        Map<String, String> settings = twilio("http://localhost:" + TestHub.freePort());
        settings.put("twilio.account-sid", sid);
        settings.put("twilio.auth-token", token);

        assertThatThrownBy(() -> TestHub.start(own, settings).close())
                .satisfies(failure -> {
                    List<String> messages = new ArrayList<>();
                    for (Throwable t = failure; t != null; t = t.getCause()) {
                        messages.add(String.valueOf(t.getMessage()));
                    }
                    assertThat(messages).anyMatch(m -> m.contains("TWILIO_ACCOUNT_SID") && m.contains("TWILIO_AUTH_TOKEN"));
                    for (String secret : List.of(sid, token)) {
                        if (!secret.isEmpty()) {
                            assertThat(messages).noneMatch(m -> m.contains(secret));
                        }
                    }
                });
    }

    @Test
    void statusCallbacksMarkTheSmsDeliveredOrUndeliveredWithTwiliosErrorCode() throws Exception {
        String[] sids = {"SM" + "a".repeat(32), "SM" + "b".repeat(32)};
        answerInTurn(wiremock, PATH, created(sids[0]), created(sids[1]));
        String first = accept(message());
        String second = accept(message());
        hub.awaitStatus(first, OutboxMessage.SENT, SETTLE);
        hub.awaitStatus(second, OutboxMessage.SENT, SETTLE);

        // Twilio posts to the StatusCallback it was given, signed with the auth token over that public URL
        callback("MessageSid=" + sids[0] + "&MessageStatus=delivered&AccountSid=" + ACCOUNT_SID);
        callback("MessageSid=" + sids[1] + "&MessageStatus=undelivered&ErrorCode=30003&AccountSid=" + ACCOUNT_SID);

        OutboxMessage delivered = hub.awaitStatus(first, OutboxMessage.DELIVERED, SETTLE);
        assertThat(delivered.deliveredAt()).isNotNull();
        OutboxMessage undelivered = hub.awaitStatus(second, OutboxMessage.UNDELIVERED, SETTLE);
        assertThat(undelivered.providerErrorCode()).isEqualTo("30003");
        JsonNode view = view(second);
        assertThat(view.get("status").asText()).isEqualTo("undelivered");
        assertThat(view.get("providerErrorCode").asText()).isEqualTo("30003");
    }

    /** A status callback as Twilio sends it: a form, signed over HUB_PUBLIC_URL/webhooks/twilio and its parameters. */
    private void callback(String form) throws Exception {
        java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
        for (String pair : form.split("&")) {
            String[] parts = pair.split("=", 2);
            sorted.put(parts[0], java.net.URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
        }
        StringBuilder signed = new StringBuilder(PUBLIC_URL + "/webhooks/twilio");
        sorted.forEach((name, value) -> signed.append(name).append(value));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec(AUTH_TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String signature = Base64.getEncoder().encodeToString(mac.doFinal(signed.toString().getBytes(StandardCharsets.UTF_8)));
        var response = hub.send(java.net.http.HttpRequest.newBuilder(hub.uri("/webhooks/twilio"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-Twilio-Signature", signature)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    // ---- fixtures ----

    /** The settings of a hub that sends SMS through Twilio at {@code baseUrl}. */
    private static Map<String, String> twilio(String baseUrl) {
        Map<String, String> settings = new HashMap<>();
        settings.put("sms.provider", "twilio");
        settings.put("twilio.base-url", baseUrl);
        settings.put("twilio.account-sid", ACCOUNT_SID);
        settings.put("twilio.auth-token", AUTH_TOKEN);
        settings.put("twilio.phone-number", FROM);
        settings.put("sms.default-region", "US");
        settings.put("hub.public-url", PUBLIC_URL + "/");
        return settings;
    }

    /** Twilio's 201 answer to a created message, as its API reference shows it. */
    private static ResponseDefinitionBuilder created(String sid) {
        return aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("""
                {"account_sid": "%s", "api_version": "2010-04-01", "body": "Your code is 123456",
                 "date_created": "Thu, 24 Aug 2023 05:01:45 +0000", "date_sent": null,
                 "date_updated": "Thu, 24 Aug 2023 05:01:45 +0000", "direction": "outbound-api",
                 "error_code": null, "error_message": null, "from": "%s", "messaging_service_sid": null,
                 "num_media": "0", "num_segments": "1", "price": null, "price_unit": "USD", "sid": "%s",
                 "status": "queued", "subresource_uris": {"media": "/2010-04-01/Accounts/%s/Messages/%s/Media.json"},
                 "to": "%s", "uri": "/2010-04-01/Accounts/%s/Messages/%s.json"}"""
                .formatted(ACCOUNT_SID, FROM, sid, ACCOUNT_SID, sid, TO, ACCOUNT_SID, sid));
    }

    /** Twilio's documented error body; the hub keeps the code and the reason. */
    private static ProviderAnswer error(int status, int code, String message) {
        return ProviderAnswer.of("HTTP " + status + " code " + code, aResponse().withStatus(status)
                        .withHeader("Content-Type", "application/json")
                        .withBody("""
                                {"code": %d, "message": "%s", "more_info": "https://www.twilio.com/docs/errors/%d", "status": %d}"""
                                .formatted(code, message, code, status)),
                        "HTTP " + status, "Twilio error " + code)
                .withCode(String.valueOf(code));
    }

    /** Twilio refusing the hub's credentials: the reason must say so. */
    private static ProviderAnswer credentials(int status, String message) {
        ProviderAnswer answer = error(status, 20003, message);
        return new ProviderAnswer(answer.name(), answer.response(),
                List.of("Twilio refused the hub's credentials", "HTTP " + status, "Twilio error 20003"),
                answer.code(), answer.hidden());
    }

    private static String accept(TestHub hub, String json) {
        var response = hub.post("/api/v1/sms", json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return Json.parse(response.body()).get("id").asText();
    }
}
