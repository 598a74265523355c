package io.integrationhub.payments;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.integrationhub.testing.FakeStripe;
import io.integrationhub.testing.FakeTwilio;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.LogCapture;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.integrationhub.testing.FakeStripe.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Payments through stripe-java against WireMock playing Stripe: the exact form-encoded requests Stripe documents for
 * each operation, an Idempotency-Key on every one, Stripe's documented errors mapped to the hub's answers, unknown
 * outcomes asked again with the same key, and concurrent repeats of one request making one call.
 */
class StripePaymentsTest {

    @TempDir
    static Path data;

    private static WireMockServer stripe;
    private static TestHub hub;

    @BeforeAll
    static void start() {
        stripe = FakeTwilio.start();
        Map<String, String> settings = new HashMap<>(FakeStripe.settings(stripe));
        // this hub's breaker stays closed: the breaker has its own test below
        settings.put("breaker.payments-stripe.minimum-number-of-calls", "1000");
        settings.put("breaker.payments-stripe.sliding-window-size", "1000");
        hub = TestHub.start(data, settings);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (stripe != null) {
            stripe.stop();
        }
    }

    @BeforeEach
    void reset() {
        stripe.resetAll();
    }

    private static LoggedRequest only(String path) {
        List<LoggedRequest> requests = FakeStripe.requests(stripe, path);
        assertThat(requests).as("requests to " + path).hasSize(1);
        return requests.get(0);
    }

    /** What every request to Stripe carries: the key as a bearer token, the pinned version, a form, the hub's key. */
    private static void assertStripeRequest(LoggedRequest request, String method) {
        assertThat(request.getMethod().value()).isEqualTo(method);
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + FakeStripe.SECRET_KEY);
        assertThat(request.getHeader("Stripe-Version")).isEqualTo(com.stripe.Stripe.API_VERSION).isEqualTo("2026-07-29.dahlia");
        assertThat(request.getHeader("Idempotency-Key")).matches("hub-pay_[0-9a-f]{32}");
        if (method.equals("POST")) {
            assertThat(request.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
        }
    }

    @Test
    void aChargeIsAConfirmedPaymentIntentWithTheDocumentedForm() {
        stripe.stubFor(post(urlPathEqualTo("/v1/payment_intents"))
                .willReturn(json(200, FakeStripe.paymentIntent("pi_3Charge", 1999, "usd", "succeeded"))));
        HttpResponse<String> response = hub.post("/api/v1/payments/charges", """
                {"amount": 1999, "currency": "usd", "paymentMethod": "pm_card_visa", "customer": "cus_Q1w2e3",
                 "description": "Order 1234", "metadata": {"order": "1234", "app.region": "eu"}}""",
                "Idempotency-Key", "order-1234");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        JsonNode charge = Json.parse(response.body());
        assertThat(charge.get("id").asText()).matches("pay_[0-9a-f]{32}");
        assertThat(charge.get("status").asText()).isEqualTo("succeeded");
        assertThat(charge.get("amount").asLong()).isEqualTo(1999);
        assertThat(charge.get("currency").asText()).isEqualTo("usd");
        assertThat(charge.get("providerId").asText()).isEqualTo("pi_3Charge");

        LoggedRequest request = only("/v1/payment_intents");
        assertStripeRequest(request, "POST");
        assertThat(request.getHeader("Idempotency-Key")).isEqualTo("hub-" + charge.get("id").asText());
        assertThat(FakeStripe.form(request)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "amount", "1999", "currency", "usd", "payment_method", "pm_card_visa", "confirm", "true",
                "customer", "cus_Q1w2e3", "description", "Order 1234", "metadata[order]", "1234",
                "metadata[app.region]", "eu", "automatic_payment_methods[enabled]", "true",
                "automatic_payment_methods[allow_redirects]", "never"));

        // the hub's own record answers GET, and the same key replays without a second call
        HttpResponse<String> got = hub.get("/api/v1/payments/charges/" + charge.get("id").asText());
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(Json.parse(got.body())).isEqualTo(charge);
        HttpResponse<String> again = hub.post("/api/v1/payments/charges", """
                {"amount": 1999, "currency": "usd", "paymentMethod": "pm_card_visa", "customer": "cus_Q1w2e3",
                 "description": "Order 1234", "metadata": {"order": "1234", "app.region": "eu"}}""",
                "Idempotency-Key", "order-1234");
        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(Json.parse(again.body())).isEqualTo(charge);
        assertThat(FakeStripe.requests(stripe, "/v1/payment_intents")).hasSize(1);
    }

    @Test
    void aChargeWithoutCaptureIsAuthorizedOnly() {
        stripe.stubFor(post(urlPathEqualTo("/v1/payment_intents"))
                .willReturn(json(200, FakeStripe.paymentIntent("pi_3Hold", 5000, "eur", "requires_capture"))));
        HttpResponse<String> response = hub.post("/api/v1/payments/charges",
                "{\"amount\": 5000, \"currency\": \"EUR\", \"paymentMethod\": \"pm_card_visa\", \"capture\": false}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(Json.parse(response.body()).get("status").asText()).isEqualTo("requires_capture");
        Map<String, String> form = FakeStripe.form(only("/v1/payment_intents"));
        assertThat(form).containsEntry("capture_method", "manual").containsEntry("currency", "eur");
    }

    @Test
    void aCustomerIsCreatedWithItsEmailNameAndMetadata() {
        stripe.stubFor(post(urlPathEqualTo("/v1/customers")).willReturn(json(200, """
                {"id": "cus_NffrFeUfNV2Hib", "object": "customer", "email": "ann@example.com", "name": "Ann Lee",
                 "metadata": {"user": "42"}}""")));
        HttpResponse<String> response = hub.post("/api/v1/payments/customers",
                "{\"email\": \"ann@example.com\", \"name\": \"Ann Lee\", \"metadata\": {\"user\": \"42\"}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(Json.parse(response.body())).isEqualTo(Json.parse(
                "{\"id\": \"cus_NffrFeUfNV2Hib\", \"email\": \"ann@example.com\", \"name\": \"Ann Lee\"}"));
        LoggedRequest request = only("/v1/customers");
        assertStripeRequest(request, "POST");
        assertThat(FakeStripe.form(request)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "email", "ann@example.com", "name", "Ann Lee", "metadata[user]", "42"));
    }

    @Test
    void aCheckoutSessionHasTheLineItemsAndUrls() {
        stripe.stubFor(post(urlPathEqualTo("/v1/checkout/sessions")).willReturn(json(200, """
                {"id": "cs_test_a1b2", "object": "checkout.session", "mode": "payment",
                 "url": "https://checkout.stripe.com/c/pay/cs_test_a1b2"}""")));
        HttpResponse<String> response = hub.post("/api/v1/payments/checkout-sessions", """
                {"mode": "payment", "lineItems": [{"price": "price_1MoBy5", "quantity": 2},
                 {"amount": 500, "currency": "usd", "name": "Sticker"}],
                 "successUrl": "https://shop.example.com/ok?session={CHECKOUT_SESSION_ID}",
                 "cancelUrl": "https://shop.example.com/cart", "customer": "cus_NffrFeUfNV2Hib"}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(Json.parse(response.body())).isEqualTo(Json.parse(
                "{\"id\": \"cs_test_a1b2\", \"url\": \"https://checkout.stripe.com/c/pay/cs_test_a1b2\"}"));
        LoggedRequest request = only("/v1/checkout/sessions");
        assertStripeRequest(request, "POST");
        assertThat(FakeStripe.form(request)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "mode", "payment", "line_items[0][price]", "price_1MoBy5", "line_items[0][quantity]", "2",
                "line_items[1][price_data][currency]", "usd", "line_items[1][price_data][unit_amount]", "500",
                "line_items[1][price_data][product_data][name]", "Sticker", "line_items[1][quantity]", "1",
                "success_url", "https://shop.example.com/ok?session={CHECKOUT_SESSION_ID}",
                "cancel_url", "https://shop.example.com/cart", "customer", "cus_NffrFeUfNV2Hib"));
    }

    @Test
    void aPortalSessionNamesTheCustomerAndReturnUrl() {
        stripe.stubFor(post(urlPathEqualTo("/v1/billing_portal/sessions")).willReturn(json(200, """
                {"id": "bps_1MrSjz", "object": "billing_portal.session", "customer": "cus_NffrFeUfNV2Hib",
                 "url": "https://billing.stripe.com/p/session/test_YWNjdF8x"}""")));
        HttpResponse<String> response = hub.post("/api/v1/payments/portal-sessions",
                "{\"customer\": \"cus_NffrFeUfNV2Hib\", \"returnUrl\": \"https://app.example.com/account\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(Json.parse(response.body()).get("url").asText()).isEqualTo("https://billing.stripe.com/p/session/test_YWNjdF8x");
        LoggedRequest request = only("/v1/billing_portal/sessions");
        assertStripeRequest(request, "POST");
        assertThat(FakeStripe.form(request)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "customer", "cus_NffrFeUfNV2Hib", "return_url", "https://app.example.com/account"));
    }

    @Test
    void aRefundNamesThePaymentIntentAndNeverExceedsTheCharge() {
        stripe.stubFor(post(urlPathEqualTo("/v1/payment_intents"))
                .willReturn(json(200, FakeStripe.paymentIntent("pi_3Refundable", 1000, "usd", "succeeded"))));
        stripe.stubFor(post(urlPathEqualTo("/v1/refunds")).willReturn(json(200, """
                {"id": "re_3MtW", "object": "refund", "amount": 300, "currency": "usd", "status": "succeeded",
                 "payment_intent": "pi_3Refundable"}""")));
        String charge = Json.parse(hub.post("/api/v1/payments/charges",
                "{\"amount\": 1000, \"currency\": \"usd\", \"paymentMethod\": \"pm_card_visa\"}").body()).get("id").asText();

        HttpResponse<String> refund = hub.post("/api/v1/payments/refunds",
                "{\"charge\": \"" + charge + "\", \"amount\": 300, \"reason\": \"requested_by_customer\"}");
        assertThat(refund.statusCode()).as(refund.body()).isEqualTo(201);
        assertThat(Json.parse(refund.body())).isEqualTo(Json.parse("{\"id\": \"re_3MtW\", \"status\": \"succeeded\", "
                + "\"amount\": 300, \"currency\": \"usd\", \"charge\": \"" + charge + "\"}"));
        LoggedRequest request = only("/v1/refunds");
        assertStripeRequest(request, "POST");
        assertThat(FakeStripe.form(request)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "payment_intent", "pi_3Refundable", "amount", "300", "reason", "requested_by_customer"));

        // 700 are left: 800 is refused by the hub itself, without asking Stripe
        HttpResponse<String> tooMuch = hub.post("/api/v1/payments/refunds", "{\"charge\": \"" + charge + "\", \"amount\": 800}");
        assertThat(tooMuch.statusCode()).isEqualTo(422);
        assertThat(tooMuch.body()).contains("\"field\":\"amount\"").contains("700 left");
        assertThat(FakeStripe.requests(stripe, "/v1/refunds")).hasSize(1);
    }

    @Test
    void aSubscriptionIsCanceledNowOrAtThePeriodsEnd() {
        stripe.stubFor(delete(urlPathEqualTo("/v1/subscriptions/sub_1MowQV")).willReturn(json(200, """
                {"id": "sub_1MowQV", "object": "subscription", "status": "canceled", "cancel_at_period_end": false}""")));
        stripe.stubFor(post(urlPathEqualTo("/v1/subscriptions/sub_1MowQW")).willReturn(json(200, """
                {"id": "sub_1MowQW", "object": "subscription", "status": "active", "cancel_at_period_end": true}""")));

        HttpResponse<String> now = hub.post("/api/v1/payments/subscriptions/sub_1MowQV/cancel", "{}");
        assertThat(now.statusCode()).as(now.body()).isEqualTo(200);
        assertThat(Json.parse(now.body())).isEqualTo(Json.parse(
                "{\"id\": \"sub_1MowQV\", \"status\": \"canceled\", \"cancelAtPeriodEnd\": false}"));
        assertStripeRequest(only("/v1/subscriptions/sub_1MowQV"), "DELETE");

        HttpResponse<String> later = hub.post("/api/v1/payments/subscriptions/sub_1MowQW/cancel", "{\"atPeriodEnd\": true}");
        assertThat(later.statusCode()).as(later.body()).isEqualTo(200);
        assertThat(Json.parse(later.body()).get("cancelAtPeriodEnd").asBoolean()).isTrue();
        LoggedRequest request = only("/v1/subscriptions/sub_1MowQW");
        assertStripeRequest(request, "POST");
        assertThat(FakeStripe.form(request)).containsExactlyInAnyOrderEntriesOf(Map.of("cancel_at_period_end", "true"));
    }

    /** Stripe's documented error answers, and what the hub makes of each: status, problem, calls made. */
    static Stream<Arguments> stripeErrors() {
        return Stream.of(
                Arguments.of("card declined", 402, FakeStripe.cardError("card_declined", "insufficient_funds", "pi_3Declined"),
                        402, "\"declineCode\":\"insufficient_funds\"", 1),
                Arguments.of("expired card", 402, FakeStripe.cardError("expired_card", "expired_card", "pi_3Expired"),
                        402, "\"code\":\"expired_card\"", 1),
                Arguments.of("invalid parameter", 400, FakeStripe.invalidRequest("parameter_invalid_integer", "amount",
                        "Invalid integer: abc"), 422, "\"field\":\"amount\"", 1),
                Arguments.of("missing customer", 400, FakeStripe.invalidRequest("resource_missing", "customer",
                        "No such customer: 'cus_Gone'"), 422, "\"field\":\"customer\"", 1),
                Arguments.of("bad key", 401, FakeStripe.error("invalid_request_error", null,
                        "Invalid API Key provided: sk_test_****real"), 502, "refused the hub's credentials", 1),
                Arguments.of("restricted key", 403, FakeStripe.error("invalid_request_error", null,
                        "The provided key 'rk_test_***' does not have the required permissions"), 502,
                        "refused the hub's credentials", 1),
                Arguments.of("idempotency error", 400, FakeStripe.error("idempotency_error", null,
                        "Keys for idempotent requests can only be used with the same parameters they were first used with."),
                        409, "same idempotency key", 1),
                Arguments.of("rate limited", 429, FakeStripe.error("invalid_request_error", "rate_limit",
                        "Too many requests hit the API too quickly."), 503, "same Idempotency-Key", -1),
                Arguments.of("server error", 500, FakeStripe.error("api_error", null, "Something went wrong on Stripe's end."),
                        503, "same Idempotency-Key", -1),
                Arguments.of("lock timeout", 409, FakeStripe.error("invalid_request_error", "lock_timeout",
                        "This object cannot be accessed right now because another API request is accessing it."),
                        503, "same Idempotency-Key", -1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stripeErrors")
    void stripesErrorsAreMappedWithoutItsMessages(String name, int stripeStatus, String stripeBody, int status,
                                                  String expected, int calls) {
        stripe.stubFor(post(urlPathEqualTo("/v1/payment_intents")).willReturn(json(stripeStatus, stripeBody)));
        HttpResponse<String> response;
        try (LogCapture logs = LogCapture.attach()) {
            response = hub.post("/api/v1/payments/charges",
                    "{\"amount\": 1999, \"currency\": \"usd\", \"paymentMethod\": \"pm_card_visa\"}");
            assertThat(logs.linesContainingAnyOf(List.of(FakeStripe.SECRET_KEY, "sk_test_****real"))).isEmpty();
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains(expected)
                .doesNotContain("Exception").doesNotContain("Stripe").doesNotContain("sk_test")
                .doesNotContain(Json.parse(stripeBody).get("error").get("message").asText());
        if (status == 503) {
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
        }
        List<LoggedRequest> requests = FakeStripe.requests(stripe, "/v1/payment_intents");
        if (calls > 0) {
            assertThat(requests).hasSize(calls);
        } else {
            // transient: asked again within the request's budget, always with the same key
            assertThat(requests).hasSizeGreaterThan(1);
            assertThat(requests.stream().map(r -> r.getHeader("Idempotency-Key")).collect(Collectors.toSet())).hasSize(1);
        }
    }

    @Test
    void aDeclineIsKeptAndReplayedForItsKey() {
        stripe.stubFor(post(urlPathEqualTo("/v1/payment_intents"))
                .willReturn(json(402, FakeStripe.cardError("card_declined", "generic_decline", "pi_3Dec"))));
        String body = "{\"amount\": 1999, \"currency\": \"usd\", \"paymentMethod\": \"pm_card_chargeDeclined\"}";
        HttpResponse<String> first = hub.post("/api/v1/payments/charges", body, "Idempotency-Key", "declined-once");
        HttpResponse<String> second = hub.post("/api/v1/payments/charges", body, "Idempotency-Key", "declined-once");
        assertThat(first.statusCode()).isEqualTo(402);
        assertThat(second.statusCode()).isEqualTo(402);
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(FakeStripe.requests(stripe, "/v1/payment_intents")).hasSize(1);
    }

    @Test
    void aDroppedConnectionIsAskedAgainWithTheSameKeyAndChargesOnce() throws Exception {
        stripe.stubFor(post(urlPathEqualTo("/v1/payment_intents")).inScenario("dropped")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("answered"));
        stripe.stubFor(post(urlPathEqualTo("/v1/payment_intents")).inScenario("dropped")
                .whenScenarioStateIs("answered")
                .willReturn(json(200, FakeStripe.paymentIntent("pi_3Once", 4200, "usd", "succeeded"))
                        .withHeader("Idempotent-Replayed", "true")));
        HttpResponse<String> response = hub.post("/api/v1/payments/charges",
                "{\"amount\": 4200, \"currency\": \"usd\", \"paymentMethod\": \"pm_card_visa\"}", "Idempotency-Key", "dropped-1");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        JsonNode charge = Json.parse(response.body());
        assertThat(charge.get("providerId").asText()).isEqualTo("pi_3Once");

        List<LoggedRequest> requests = FakeStripe.requests(stripe, "/v1/payment_intents");
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).getHeader("Idempotency-Key")).isEqualTo(requests.get(1).getHeader("Idempotency-Key"))
                .isEqualTo("hub-" + charge.get("id").asText());
        assertThat(requests.get(0).getBodyAsString()).isEqualTo(requests.get(1).getBodyAsString());
        assertThat(state(charge.get("id").asText())).isEqualTo("done");
    }

    @Test
    void aTimedOutAnswerIsAskedAgainWithTheSameKey() {
        stripe.stubFor(post(urlPathEqualTo("/v1/customers")).inScenario("slow").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(200, "{\"id\": \"cus_Slow\", \"object\": \"customer\", \"email\": \"slow@example.com\"}")
                        .withFixedDelay(2600)).willSetStateTo("fast"));
        stripe.stubFor(post(urlPathEqualTo("/v1/customers")).inScenario("slow").whenScenarioStateIs("fast")
                .willReturn(json(200, "{\"id\": \"cus_Slow\", \"object\": \"customer\", \"email\": \"slow@example.com\"}")
                        .withHeader("Idempotent-Replayed", "true")));
        HttpResponse<String> response = hub.post("/api/v1/payments/customers", "{\"email\": \"slow@example.com\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        List<LoggedRequest> requests = FakeStripe.requests(stripe, "/v1/customers");
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).getHeader("Idempotency-Key")).isEqualTo(requests.get(1).getHeader("Idempotency-Key"));
    }

    @Test
    void anOutcomeUnknownAfterTheBudgetIsAskedAgainWhenTheCallerRepeats() {
        stripe.stubFor(post(urlPathEqualTo("/v1/payment_intents")).willReturn(json(503,
                FakeStripe.error("api_error", null, "Stripe is temporarily unavailable."))));
        String body = "{\"amount\": 7700, \"currency\": \"usd\", \"paymentMethod\": \"pm_card_visa\"}";
        HttpResponse<String> first = hub.post("/api/v1/payments/charges", body, "Idempotency-Key", "unknown-then-known");
        assertThat(first.statusCode()).isEqualTo(503);
        String key = FakeStripe.requests(stripe, "/v1/payment_intents").get(0).getHeader("Idempotency-Key");
        // the answer names the charge, whose record says it is pending
        String id = Json.parse(first.body()).get("id").asText();
        assertThat(key).isEqualTo("hub-" + id);
        assertThat(Json.parse(hub.get("/api/v1/payments/charges/" + id).body()).get("status").asText()).isEqualTo("pending");

        stripe.resetAll();
        stripe.stubFor(post(urlPathEqualTo("/v1/payment_intents")).willReturn(json(200,
                FakeStripe.paymentIntent("pi_3Late", 7700, "usd", "succeeded")).withHeader("Idempotent-Replayed", "true")));
        // the record is pending until its backoff passes; the caller's repeat waits for it and then asks again
        HttpResponse<String> second = hub.post("/api/v1/payments/charges", body, "Idempotency-Key", "unknown-then-known");
        long deadline = System.currentTimeMillis() + 20_000;
        while (second.statusCode() == 409 && System.currentTimeMillis() < deadline) {
            TestHub.sleep(500);
            second = hub.post("/api/v1/payments/charges", body, "Idempotency-Key", "unknown-then-known");
        }
        assertThat(second.statusCode()).as(second.body()).isEqualTo(201);
        assertThat(Json.parse(second.body()).get("providerId").asText()).isEqualTo("pi_3Late");
        assertThat(Json.parse(second.body()).get("id").asText()).isEqualTo(id);
        assertThat(Json.parse(hub.get("/api/v1/payments/charges/" + id).body()).get("status").asText()).isEqualTo("succeeded");
        assertThat(FakeStripe.requests(stripe, "/v1/payment_intents")).extracting(r -> r.getHeader("Idempotency-Key"))
                .containsOnly(key);
    }

    @Test
    void twentyConcurrentIdenticalChargesMakeOneCall() throws Exception {
        stripe.stubFor(post(urlPathEqualTo("/v1/payment_intents"))
                .willReturn(json(200, FakeStripe.paymentIntent("pi_3Concurrent", 2500, "usd", "succeeded")).withFixedDelay(700)));
        String body = "{\"amount\": 2500, \"currency\": \"usd\", \"paymentMethod\": \"pm_card_visa\"}";
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                answers.add(pool.submit(() -> {
                    HttpResponse<String> answer = hub.post("/api/v1/payments/charges", body, "Idempotency-Key", "twenty");
                    for (int round = 0; answer.statusCode() == 409 && round < 20; round++) {
                        TestHub.sleep(500);
                        answer = hub.post("/api/v1/payments/charges", body, "Idempotency-Key", "twenty");
                    }
                    return answer;
                }));
            }
            Set<String> bodies = new java.util.HashSet<>();
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
    }

    @Test
    void aRouteChargesThroughTheSameRecord() {
        stripe.stubFor(post(urlPathEqualTo("/v1/payment_intents"))
                .willReturn(json(200, FakeStripe.paymentIntent("pi_3Route", 1500, "gbp", "succeeded"))));
        Map<String, Object> request = Map.of("amount", 1500, "currency", "gbp", "paymentMethod", "pm_card_visa");
        Object first = hub.producer().send("direct:charge-payment", e -> {
            e.getMessage().setBody(request);
            e.setProperty(PaymentRoutes.IDEMPOTENCY_KEY, "route-order-9");
        }).getMessage().getBody();
        Object second = hub.producer().send("direct:charge-payment", e -> {
            e.getMessage().setBody(request);
            e.setProperty(PaymentRoutes.IDEMPOTENCY_KEY, "route-order-9");
        }).getMessage().getBody();
        assertThat(first).isInstanceOf(Charge.class).isEqualTo(second);
        assertThat(((Charge) first).status()).isEqualTo("succeeded");
        assertThat(FakeStripe.requests(stripe, "/v1/payment_intents")).hasSize(1);

        stripe.stubFor(post(urlPathEqualTo("/v1/payment_intents"))
                .willReturn(json(402, FakeStripe.cardError("card_declined", "insufficient_funds", "pi_3Poor"))));
        Exception declined = hub.producer().send("direct:charge-payment",
                e -> e.getMessage().setBody(Map.of("amount", 1500, "currency", "gbp", "paymentMethod", "pm_card_visa",
                        "description", "another"))).getException();
        assertThat(declined).isInstanceOf(PaymentDeclinedException.class);
        assertThat(((PaymentDeclinedException) declined).declineCode()).isEqualTo("insufficient_funds");
    }

    @Test
    void anOpenBreakerIsA503WithRetryAfterAndNoCall(@TempDir Path own) {
        Map<String, String> settings = new HashMap<>(FakeStripe.settings(stripe));
        settings.put("payments.request-timeout-ms", "1500");
        settings.put("breaker.payments-stripe.minimum-number-of-calls", "2");
        settings.put("breaker.payments-stripe.sliding-window-size", "2");
        settings.put("breaker.payments-stripe.wait-duration-in-open-state-seconds", "60");
        stripe.stubFor(any(urlPathEqualTo("/v1/customers")).willReturn(json(500,
                FakeStripe.error("api_error", null, "Something went wrong on Stripe's end."))));
        try (TestHub breaking = TestHub.start(own, settings)) {
            for (int i = 0; i < 2; i++) {
                breaking.post("/api/v1/payments/customers", "{\"email\": \"b" + i + "@example.com\"}");
            }
            int calls = FakeStripe.requests(stripe, "/v1/customers").size();
            HttpResponse<String> refused = breaking.post("/api/v1/payments/customers", "{\"email\": \"late@example.com\"}");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.body()).contains("does not call it until it recovers");
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("60");
            assertThat(FakeStripe.requests(stripe, "/v1/customers")).hasSize(calls);
        }
    }

    /** The state of an operation in the hub's record. */
    private static String state(String id) {
        return hub.store().inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT state FROM payment_operations WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }
}
