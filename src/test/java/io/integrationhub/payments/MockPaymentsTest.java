package io.integrationhub.payments;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded payment provider, as a developer meets it on a fresh hub: Stripe's test payment methods give Stripe's
 * outcomes, refunds never exceed the charge, everything lasts across a restart, and checkout and the portal can be
 * clicked through.
 */
class MockPaymentsTest {

    @TempDir
    Path data;

    @TempDir
    static Path shared;

    private static TestHub table;

    @org.junit.jupiter.api.BeforeAll
    static void startTableHub() {
        table = TestHub.start(shared, Map.of());
    }

    @org.junit.jupiter.api.AfterAll
    static void stopTableHub() {
        if (table != null) {
            table.close();
        }
    }

    private final HttpClient browser = HttpClient.newHttpClient();

    static Stream<Arguments> testPaymentMethods() {
        return Stream.of(
                Arguments.of("pm_card_visa", 201, "succeeded", null, null),
                Arguments.of("pm_card_mastercard", 201, "succeeded", null, null),
                Arguments.of("pm_card_authenticationRequired", 201, "requires_action", null, null),
                Arguments.of("pm_card_chargeDeclined", 402, null, "card_declined", "generic_decline"),
                Arguments.of("pm_card_chargeDeclinedInsufficientFunds", 402, null, "card_declined", "insufficient_funds"),
                Arguments.of("pm_card_chargeDeclinedExpiredCard", 402, null, "expired_card", "expired_card"),
                Arguments.of("pm_card_chargeDeclinedIncorrectCvc", 402, null, "incorrect_cvc", "incorrect_cvc"),
                Arguments.of("pm_card_chargeDeclinedProcessingError", 402, null, "processing_error", "processing_error"),
                Arguments.of("pm_card_unknownToStripe", 422, null, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("testPaymentMethods")
    void stripesTestPaymentMethodsGiveStripesOutcomes(String method, int status, String chargeStatus, String code,
                                                       String declineCode) {
        TestHub hub = table;
        {
            HttpResponse<String> response = hub.post("/api/v1/payments/charges",
                    "{\"amount\": 1200, \"currency\": \"jpy\", \"paymentMethod\": \"" + method + "\"}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
            JsonNode body = Json.parse(response.body());
            if (chargeStatus != null) {
                assertThat(body.get("status").asText()).isEqualTo(chargeStatus);
                assertThat(body.get("amount").asLong()).isEqualTo(1200);
                assertThat(body.get("currency").asText()).isEqualTo("jpy");
                assertThat(body.get("providerId").asText()).startsWith("pi_mock");
                assertThat(body.has("nextAction")).isEqualTo(chargeStatus.equals("requires_action"));
            }
            if (code != null) {
                assertThat(body.get("code").asText()).isEqualTo(code);
                assertThat(body.get("declineCode").asText()).isEqualTo(declineCode);
            }
            if (status == 422) {
                assertThat(response.body()).contains("\"field\":\"paymentMethod\"");
            }
        }
    }

    @Test
    void refundsNeverExceedTheChargeAndEverythingLastsAcrossARestart() {
        String charge;
        String customer;
        try (TestHub hub = TestHub.start(data, Map.of())) {
            customer = Json.parse(hub.post("/api/v1/payments/customers", "{\"email\": \"ann@example.com\"}").body())
                    .get("id").asText();
            HttpResponse<String> charged = hub.post("/api/v1/payments/charges", "{\"amount\": 1000, \"currency\": \"usd\", "
                    + "\"paymentMethod\": \"pm_card_visa\", \"customer\": \"" + customer + "\"}", "Idempotency-Key", "order-77");
            assertThat(charged.statusCode()).as(charged.body()).isEqualTo(201);
            charge = Json.parse(charged.body()).get("id").asText();

            assertThat(refund(hub, charge, 600).statusCode()).isEqualTo(201);
            HttpResponse<String> tooMuch = refund(hub, charge, 600);
            assertThat(tooMuch.statusCode()).isEqualTo(422);
            assertThat(tooMuch.body()).contains("400 left");
        }
        try (TestHub hub = TestHub.start(data, Map.of())) {
            HttpResponse<String> recorded = hub.get("/api/v1/payments/charges/" + charge);
            assertThat(recorded.statusCode()).isEqualTo(200);
            assertThat(Json.parse(recorded.body()).get("status").asText()).isEqualTo("succeeded");
            // the same key answers the first charge again
            HttpResponse<String> replay = hub.post("/api/v1/payments/charges", "{\"amount\": 1000, \"currency\": \"usd\", "
                    + "\"paymentMethod\": \"pm_card_visa\", \"customer\": \"" + customer + "\"}", "Idempotency-Key", "order-77");
            assertThat(Json.parse(replay.body()).get("id").asText()).isEqualTo(charge);

            assertThat(refund(hub, charge, 401).statusCode()).isEqualTo(422);
            HttpResponse<String> rest = hub.post("/api/v1/payments/refunds", "{\"charge\": \"" + charge + "\"}");
            assertThat(rest.statusCode()).as(rest.body()).isEqualTo(201);
            assertThat(Json.parse(rest.body()).get("amount").asLong()).isEqualTo(400);
            HttpResponse<String> none = refund(hub, charge, 1);
            assertThat(none.statusCode()).isEqualTo(422);
            assertThat(none.body()).contains("refunded in full");

            // the mock provider itself keeps the limit too, for its own ids
            String providerId = Json.parse(recorded.body()).get("providerId").asText();
            HttpResponse<String> direct = hub.post("/api/v1/payments/refunds", "{\"charge\": \"" + providerId + "\"}");
            assertThat(direct.statusCode()).isEqualTo(422);
            assertThat(direct.body()).contains("refunded in full");

            // the customer made before the restart still exists at the provider
            HttpResponse<String> portal = hub.post("/api/v1/payments/portal-sessions",
                    "{\"customer\": \"" + customer + "\", \"returnUrl\": \"https://app.example.com/account\"}");
            assertThat(portal.statusCode()).as(portal.body()).isEqualTo(201);
        }
    }

    @Test
    void aDeclinedChargeCannotBeRefunded() {
        TestHub hub = table;
        {
            HttpResponse<String> declined = hub.post("/api/v1/payments/charges", "{\"amount\": 1000, \"currency\": \"usd\", "
                    + "\"paymentMethod\": \"pm_card_chargeDeclined\"}", "Idempotency-Key", "declined-9");
            assertThat(declined.statusCode()).isEqualTo(402);
            String providerId = Json.parse(declined.body()).path("providerId").asText(null);
            assertThat(providerId).isNull();
            HttpResponse<String> refund = hub.post("/api/v1/payments/refunds", "{\"charge\": \"pi_mockNope\"}");
            assertThat(refund.statusCode()).isEqualTo(422);
        }
    }

    @Test
    void checkoutAndThePortalCanBeClickedThrough() throws Exception {
        try (TestHub hub = TestHub.start(data, Map.of("hub.public-url", ""))) {
            HttpResponse<String> created = hub.post("/api/v1/payments/checkout-sessions", """
                    {"mode": "subscription", "lineItems": [{"price": "price_Pro", "quantity": 1}],
                     "successUrl": "https://app.example.com/welcome?session={CHECKOUT_SESSION_ID}",
                     "cancelUrl": "https://app.example.com/pricing"}""");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode session = Json.parse(created.body());
            String url = session.get("url").asText();
            assertThat(url).isEqualTo("http://localhost:" + hub.port() + "/mock-payments/checkout/" + session.get("id").asText());

            HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("price_Pro").contains("https://app.example.com/pricing").contains("/pay\"");

            HttpResponse<String> paid = browser.send(HttpRequest.newBuilder(URI.create(url + "/pay"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(paid.statusCode()).isEqualTo(303);
            assertThat(paid.headers().firstValue("Location"))
                    .hasValue("https://app.example.com/welcome?session=" + session.get("id").asText());

            // the subscription the checkout made, in the portal of the customer it made, and cancelled from the API
            MockPayments mock = (MockPayments) hub.context().getRegistry().lookupByName(PaymentsConfiguration.PROVIDER_BEAN);
            String customer = mock.find(session.get("id").asText(), "checkout_session").orElseThrow().customer();
            HttpResponse<String> portal = hub.post("/api/v1/payments/portal-sessions",
                    "{\"customer\": \"" + customer + "\", \"returnUrl\": \"https://app.example.com/account\"}");
            String portalUrl = Json.parse(portal.body()).get("url").asText();
            String portalPage = browser.send(HttpRequest.newBuilder(URI.create(portalUrl)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(portalPage).contains("price_Pro").contains("active").contains("https://app.example.com/account");
            String subscription = portalPage.replaceFirst("(?s).*(sub_mock[A-Za-z0-9]+).*", "$1");

            HttpResponse<String> canceled = hub.post("/api/v1/payments/subscriptions/" + subscription + "/cancel", "{}");
            assertThat(canceled.statusCode()).as(canceled.body()).isEqualTo(200);
            assertThat(Json.parse(canceled.body()).get("status").asText()).isEqualTo("canceled");
            HttpResponse<String> unknown = hub.post("/api/v1/payments/subscriptions/sub_mockNone/cancel", "{}");
            assertThat(unknown.statusCode()).isEqualTo(404);

            HttpResponse<String> noSuchPage = browser.send(HttpRequest.newBuilder(URI.create(
                    "http://localhost:" + hub.port() + "/mock-payments/checkout/cs_mockNone")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(noSuchPage.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void anAppSeesItsOwnChargesOnly() {
        TestHub hub = table;
        {
            String shop = hub.createKey("shop", "sender").get("key").asText();
            String blog = hub.createKey("blog", "sender").get("key").asText();
            HttpResponse<String> charged = hub.request("POST", "/api/v1/payments/charges", TestHub.bearer(shop),
                    "{\"amount\": 1000, \"currency\": \"usd\", \"paymentMethod\": \"pm_card_visa\"}");
            String charge = Json.parse(charged.body()).get("id").asText();
            assertThat(hub.request("GET", "/api/v1/payments/charges/" + charge, TestHub.bearer(shop), null).statusCode()).isEqualTo(200);
            assertThat(hub.request("GET", "/api/v1/payments/charges/" + charge, TestHub.bearer(blog), null).statusCode()).isEqualTo(404);
            HttpResponse<String> refund = hub.request("POST", "/api/v1/payments/refunds", TestHub.bearer(blog),
                    "{\"charge\": \"" + charge + "\"}");
            assertThat(refund.statusCode()).isEqualTo(422);
            // the same Idempotency-Key in two apps is two requests
            String body = "{\"amount\": 700, \"currency\": \"usd\", \"paymentMethod\": \"pm_card_visa\"}";
            String a = hub.request("POST", "/api/v1/payments/charges", TestHub.bearer(shop), body, "Idempotency-Key", "k-1").body();
            String b = hub.request("POST", "/api/v1/payments/charges", TestHub.bearer(blog), body, "Idempotency-Key", "k-1").body();
            assertThat(Json.parse(a).get("id")).isNotEqualTo(Json.parse(b).get("id"));
        }
    }

    private static HttpResponse<String> refund(TestHub hub, String charge, long amount) {
        return hub.post("/api/v1/payments/refunds", "{\"charge\": \"" + charge + "\", \"amount\": " + amount + "}");
    }
}
