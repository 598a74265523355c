package io.integrationhub.email;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.testing.HttpProviderContract;
import io.integrationhub.testing.Json;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.integrationhub.testing.ProviderStubs.answerInTurn;
import static io.integrationhub.testing.ProviderStubs.posts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resend's emails API played by WireMock: the HTTP provider contract ({@link HttpProviderContract}) with Resend's
 * answers (200 with {@code id}; {@code {statusCode, name, message}} errors, 422 and 403 refusing the message, 429
 * and 500 retried), the exact request, and the hub's message id as Idempotency-Key, the same on every retry.
 */
class ResendEmailTest extends HttpProviderContract {

    static final String PATH = "/emails";
    static final String API_KEY = "re_test_key_not_a_secret";
    static final String WEBHOOK_SECRET = "whsec_" + java.util.Base64.getEncoder().encodeToString(
            "resend-webhook-test-key".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    @Override
    protected String channel() {
        return "email";
    }

    @Override
    protected String provider() {
        return "email-resend";
    }

    @Override
    protected String path() {
        return PATH;
    }

    @Override
    protected Map<String, String> settings(String baseUrl) {
        return Map.of("email.provider", "resend", "resend.base-url", baseUrl, "resend.api-key", API_KEY,
                // Resend's webhooks: a Standard Webhooks source named resend
                "webhooks.resend.scheme", "standard", "webhooks.resend.secret", WEBHOOK_SECRET);
    }

    @Override
    protected List<String> secrets() {
        return List.of(API_KEY);
    }

    @Override
    protected String message() {
        return simpleEmail();
    }

    @Override
    protected ResponseDefinitionBuilder accepted(String providerMessageId) {
        return ok(providerMessageId);
    }

    @Override
    protected List<ProviderAnswer> refusals() {
        return List.of(
                error(422, "validation_error", "The `to` field must be a valid email address"),
                error(403, "validation_error", "The example.com domain is not verified"),
                error(401, "missing_api_key", "Missing API key in the authorization header"),
                error(400, "invalid_idempotency_key", "The key must be between 1-256 chars."));
    }

    @Override
    protected ResponseDefinitionBuilder credentialsRefused(int status) {
        return error(status, status == 401 ? "missing_api_key" : "invalid_api_key", "API key is invalid").response();
    }

    @Override
    protected ResponseDefinitionBuilder tooManyRequests() {
        return error(429, "rate_limit_exceeded", "Too many requests. You can only make 2 requests per second.")
                .response();
    }

    @Override
    protected ProviderAnswer serverError(int status) {
        return error(status, "application_error", "Unexpected error");
    }

    /** Resend's documented error body. */
    private static ProviderAnswer error(int status, String name, String message) {
        return ProviderAnswer.of("HTTP " + status + " " + name, aResponse().withStatus(status)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"statusCode\": " + status + ", \"name\": \"" + name + "\", \"message\": \""
                                + message + "\"}"),
                "HTTP " + status, name);
    }

    @Test
    void resendsEmailEventsMarkTheEmailDeliveredOrBounced() throws Exception {
        answerInTurn(wiremock, PATH, ok("re-delivered-1"), ok("re-bounced-1"));
        String delivered = accept(message());
        String bounced = accept(message());
        hub.awaitStatus(delivered, OutboxMessage.SENT, SETTLE);
        hub.awaitStatus(bounced, OutboxMessage.SENT, SETTLE);

        event("{\"type\":\"email.delivered\",\"data\":{\"email_id\":\"re-delivered-1\"}}");
        event("{\"type\":\"email.bounced\",\"data\":{\"email_id\":\"re-bounced-1\",\"bounce\":{\"message\":\"mailbox full\"}}}");

        assertThat(hub.awaitStatus(delivered, OutboxMessage.DELIVERED, SETTLE).deliveredAt()).isNotNull();
        OutboxMessage undelivered = hub.awaitStatus(bounced, OutboxMessage.UNDELIVERED, SETTLE);
        assertThat(undelivered.providerErrorCode()).isEqualTo("bounced");
        assertThat(undelivered.lastError()).contains("mailbox full");
    }

    /** An event as Resend (through Svix) sends it: Standard Webhooks headers, signed with the endpoint's secret. */
    private void event(String body) throws Exception {
        String id = "msg_" + System.nanoTime();
        String t = String.valueOf(System.currentTimeMillis() / 1000);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(java.util.Base64.getDecoder().decode(
                WEBHOOK_SECRET.substring("whsec_".length())), "HmacSHA256"));
        String signature = "v1," + java.util.Base64.getEncoder().encodeToString(
                mac.doFinal((id + "." + t + "." + body).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        var response = hub.request("POST", "/webhooks/resend", null, body, "svix-id", id, "svix-timestamp", t,
                "svix-signature", signature);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @Test
    void postsTheDocumentedEmailsRequestWithIdempotencyKeyAndKeepsTheId() {
        answerInTurn(wiremock, PATH, ok("49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"));

        String id = accept("""
                {"from": "Shop <shop@example.com>", "to": ["ann@example.com", "Bob Smith <bob@example.com>"],
                 "cc": "carol@example.com", "bcc": [{"email": "dave@example.com", "name": "Dave"}],
                 "replyTo": "help@example.com", "subject": "Your order",
                 "text": "Plain body", "html": "<p>HTML body</p>",
                 "tags": ["receipt"], "metadata": {"orderId": "1234"}}""");

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.provider()).isEqualTo("email-resend");
        assertThat(sent.providerMessageId()).isEqualTo("49a3999c-0ce1-4ea6-ab68-afcd6dc2e794");
        assertThat(sent.attempts()).isEqualTo(1);

        wiremock.verify(1, postRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", equalTo("Bearer " + API_KEY))
                .withHeader("Content-Type", matching("application/json(;\\s*charset=(?i)utf-8)?"))
                .withHeader("Idempotency-Key", equalTo(id))
                .withRequestBody(equalToJson("""
                        {"from": "Shop <shop@example.com>",
                         "to": ["ann@example.com", "Bob Smith <bob@example.com>"],
                         "cc": ["carol@example.com"],
                         "bcc": ["Dave <dave@example.com>"],
                         "reply_to": "help@example.com",
                         "subject": "Your order",
                         "text": "Plain body",
                         "html": "<p>HTML body</p>",
                         "tags": [{"name": "receipt", "value": "true"}, {"name": "orderId", "value": "1234"}]}""")));
        assertThat(wiremock.getAllServeEvents()).hasSize(1);
        assertThat(posts(wiremock, PATH).get(0).getHeaders().keys()).noneMatch(h -> h.startsWith("Camel"));

        JsonNode view = Json.parse(hub.get("/api/v1/messages/" + id).body());
        assertThat(view.get("status").asText()).isEqualTo("sent");
        assertThat(view.get("provider").asText()).isEqualTo("email-resend");
        assertThat(view.get("providerMessageId").asText()).isEqualTo("49a3999c-0ce1-4ea6-ab68-afcd6dc2e794");
    }

    @Test
    void rateLimitIsRetriedWithTheSameIdempotencyKey() {
        answerInTurn(wiremock, PATH,
                aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                        .withBody("{\"statusCode\": 429, \"name\": \"rate_limit_exceeded\", \"message\": \"Too many requests\"}"),
                ok("re-after-429"));

        String id = accept(simpleEmail());

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.providerMessageId()).isEqualTo("re-after-429");
        assertThat(sent.attempts()).isEqualTo(2);
        wiremock.verify(2, postRequestedFor(urlEqualTo(PATH)).withHeader("Idempotency-Key", equalTo(id)));
    }

    @Test
    void serverErrorIsRetriedWithTheSameIdempotencyKey() {
        answerInTurn(wiremock, PATH,
                aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                        .withBody("{\"statusCode\": 500, \"name\": \"internal_server_error\", \"message\": \"Unexpected error\"}"),
                ok("re-after-500"));

        String id = accept(simpleEmail());

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.providerMessageId()).isEqualTo("re-after-500");
        assertThat(sent.attempts()).isEqualTo(2);
        wiremock.verify(2, postRequestedFor(urlEqualTo(PATH)).withHeader("Idempotency-Key", equalTo(id)));
        List<LoggedRequest> requests = posts(wiremock, PATH);
        assertThat(requests.get(1).getBodyAsString()).isEqualTo(requests.get(0).getBodyAsString());
    }

    private static ResponseDefinitionBuilder ok(String resendId) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"id\": \"" + resendId + "\"}");
    }

    private static String simpleEmail() {
        return """
                {"to": "ann@example.com", "subject": "Hello", "text": "Hi Ann"}""";
    }
}
