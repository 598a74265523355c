package io.integrationhub.routes;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.integrationhub.testing.FakeTwilio;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import io.integrationhub.testing.WebhookSignatures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shipped integrations that call other APIs, run by the real hub with the project's routes/ and templates/,
 * WireMock playing HubSpot, PostHog, GitHub and an OpenAI-compatible chat-completions API:
 * {@code crm-contact-upsert}, {@code payment-failed-email} (AI paragraph, plain when the AI fails),
 * {@code posthog-paid-checkout} and {@code github-payment-failure-issue}.
 */
class ShippedHttpIntegrationsTest {

    private static final String STRIPE_SECRET = "whsec_shipped_http_integrations";

    @TempDir
    static Path data;
    private static WireMockServer apis;
    private static TestHub hub;

    @BeforeAll
    static void start() {
        apis = FakeTwilio.start();
        String base = "http://localhost:" + apis.port();
        Map<String, String> settings = new HashMap<>();
        settings.put("stripe.webhook-secret", STRIPE_SECRET);
        settings.put("HUBSPOT_BASE_URL", base);
        settings.put("HUBSPOT_TOKEN", "hubspot-token-not-a-secret");
        settings.put("AI_BASE_URL", base + "/ai/v1");
        settings.put("AI_API_KEY", "ai-key-not-a-secret");
        settings.put("AI_MODEL", "test-model");
        settings.put("POSTHOG_HOST", base);
        settings.put("POSTHOG_API_KEY", "phc_test_project_key");
        settings.put("GITHUB_API_URL", base);
        settings.put("GITHUB_TOKEN", "github-token-not-a-secret");
        settings.put("GITHUB_ISSUES_REPO", "acme/billing-ops");
        settings.put("webhook.retry-schedule", "50ms, 50ms");
        hub = TestHub.start(data, settings);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        apis.stop();
    }

    @BeforeEach
    void apisAnswer() {
        apis.resetAll();
        apis.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert"))
                .withHeader("Authorization", equalTo("Bearer hubspot-token-not-a-secret"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"status\": \"COMPLETE\", \"results\": [{\"id\": \"501\"}]}")));
        apis.stubFor(post(urlPathEqualTo("/ai/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer ai-key-not-a-secret"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                        {"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"index": 0, "message":
                        {"role": "assistant", "content": " Your last payment did not go through, and we are here to help. "},
                        "finish_reason": "stop"}]}""")));
        apis.stubFor(post(urlPathEqualTo("/capture/")).willReturn(aResponse().withStatus(200).withBody("{\"status\": 1}")));
        apis.stubFor(post(urlPathEqualTo("/repos/acme/billing-ops/issues"))
                .withHeader("Authorization", equalTo("Bearer github-token-not-a-secret"))
                .withHeader("X-GitHub-Api-Version", equalTo("2022-11-28"))
                .willReturn(aResponse().withStatus(201).withBody("{\"number\": 12, \"html_url\": \"https://github.com/acme/billing-ops/issues/12\"}")));
    }

    private static String signUp(String email, String name) {
        String body;
        try {
            body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("email", email, "name", name));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        var response = hub.request("POST", "/api/v1/events/user-signed-up", TestHub.ADMIN, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return Json.parse(response.body()).get("id").asText();
    }

    private static JsonNode emailTo(String address) {
        await().atMost(Duration.ofSeconds(10)).until(() -> emails(address).size() == 1);
        return emails(address).get(0);
    }

    private static List<JsonNode> emails(String address) {
        return hub.store().inTransaction(c -> {
            List<JsonNode> found = new java.util.ArrayList<>();
            try (var ps = c.prepareStatement("SELECT payload FROM outbox_messages WHERE channel = 'email'");
                 var rs = ps.executeQuery()) {
                while (rs.next()) {
                    JsonNode email = Json.parse(rs.getString(1));
                    if (email.get("to").get(0).get("address").asText().equals(address)) {
                        found.add(email);
                    }
                }
            }
            return found;
        });
    }

    private static List<LoggedRequest> requests(String path) {
        return apis.findAll(postRequestedFor(urlPathEqualTo(path)));
    }

    private static void postStripe(String body) {
        var response = hub.request("POST", "/webhooks/stripe", null, body, "Stripe-Signature",
                WebhookSignatures.stripe(STRIPE_SECRET, body));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @Test
    void aSignUpBecomesAHubSpotContact() {
        signUp("ann@example.com", "Ann \"The\" Lee");

        await().atMost(Duration.ofSeconds(10)).until(() -> requests("/crm/v3/objects/contacts/batch/upsert").size() == 1);
        JsonNode upsert = Json.parse(requests("/crm/v3/objects/contacts/batch/upsert").get(0).getBodyAsString());
        assertThat(upsert.get("inputs").get(0).get("idProperty").asText()).isEqualTo("email");
        assertThat(upsert.get("inputs").get(0).get("id").asText()).isEqualTo("ann@example.com");
        assertThat(upsert.get("inputs").get(0).get("properties").get("firstname").asText()).isEqualTo("Ann \"The\" Lee");
        // and the welcome email, queued by the sign-up itself
        assertThat(emailTo("ann@example.com").get("subject").asText()).isEqualTo("Welcome to Acme, Ann \"The\" Lee!");
    }

    private static String invoiceFailed(String email, String name) {
        long n = System.nanoTime();
        return """
                {"id": "evt_if_%1$d", "type": "invoice.payment_failed", "data": {"object": {"id": "in_%1$d",
                "object": "invoice", "amount_due": 123456, "currency": "usd", "customer": "cus_7",
                "customer_email": "%2$s", "customer_name": "%3$s",
                "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1/test_%1$d"}}}""".formatted(n, email, name);
    }

    @Test
    void aFailedInvoiceEmailsTheCustomerAParagraphWrittenByTheAi() {
        postStripe(invoiceFailed("dee@example.com", "Dee, Jr."));

        JsonNode email = emailTo("dee@example.com");
        assertThat(email.get("subject").asText()).isEqualTo("Your Acme payment of $1,234.56 did not go through");
        assertThat(email.get("text").asText()).startsWith("Hi Dee, Jr.,")
                .contains("\nYour last payment did not go through, and we are here to help.\n")
                .contains("Update your card and pay here: https://invoice.stripe.com/i/acct_1/test_");
        JsonNode ask = Json.parse(requests("/ai/v1/chat/completions").get(0).getBodyAsString());
        assertThat(ask.get("model").asText()).isEqualTo("test-model");
        assertThat(ask.get("messages").get(1).get("content").asText()).isEqualTo("Customer: Dee, Jr.. Amount: $1,234.56.");
    }

    @Test
    void whenTheAiIsDownThePlainParagraphGoesOut() {
        apis.stubFor(post(urlPathEqualTo("/ai/v1/chat/completions")).willReturn(aResponse().withStatus(503)));

        postStripe(invoiceFailed("eve@example.com", "Eve"));

        JsonNode email = emailTo("eve@example.com");
        assertThat(email.get("text").asText()).contains("We could not take your payment of $1,234.56.");
        // asked twice (one retry), then the plain text
        assertThat(requests("/ai/v1/chat/completions")).hasSize(2);
    }

    @Test
    void aPaidCheckoutIsAPostHogEvent() {
        postStripe("""
                {"id": "evt_ph_%1$d", "type": "checkout.session.completed", "data": {"object": {"id": "cs_ph_%1$d",
                "amount_total": 1999, "currency": "usd", "payment_status": "paid", "customer": null,
                "customer_details": {"email": "cy@example.com", "name": "Cy"}}}}""".formatted(System.nanoTime()));

        await().atMost(Duration.ofSeconds(10)).until(() -> requests("/capture/").size() == 1);
        JsonNode capture = Json.parse(requests("/capture/").get(0).getBodyAsString());
        assertThat(capture.get("api_key").asText()).isEqualTo("phc_test_project_key");
        assertThat(capture.get("event").asText()).isEqualTo("checkout paid");
        assertThat(capture.get("distinct_id").asText()).isEqualTo("cy@example.com");
        assertThat(capture.get("properties").get("amount").asInt()).isEqualTo(1999);
        assertThat(capture.get("properties").get("currency").asText()).isEqualTo("usd");
    }

    @Test
    void aFailedPaymentOpensAGitHubIssue() {
        long n = System.nanoTime();
        postStripe("""
                {"id": "evt_pf_%1$d", "type": "payment_intent.payment_failed", "data": {"object": {"id": "pi_%1$d",
                "amount": 4200, "currency": "eur", "customer": "cus_42",
                "last_payment_error": {"message": "Your card has insufficient funds."}}}}""".formatted(n));

        await().atMost(Duration.ofSeconds(10)).until(() -> requests("/repos/acme/billing-ops/issues").size() == 1);
        JsonNode issue = Json.parse(requests("/repos/acme/billing-ops/issues").get(0).getBodyAsString());
        assertThat(issue.get("title").asText()).isEqualTo("Payment failed: €42.00 (pi_" + n + ")");
        assertThat(issue.get("body").asText()).contains("payment_intent.payment_failed").contains("cus_42")
                .contains("Your card has insufficient funds.");
        assertThat(issue.get("labels").get(0).asText()).isEqualTo("payments");
    }
}
