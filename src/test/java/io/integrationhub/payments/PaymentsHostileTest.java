package io.integrationhub.payments;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.integrationhub.testing.FakeStripe;
import io.integrationhub.testing.FakeTwilio;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static io.integrationhub.testing.FakeStripe.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile payment requests: each is a 4xx naming what is wrong, the provider (WireMock playing Stripe, answering
 * anything) is never called, and nothing is recorded.
 */
class PaymentsHostileTest {

    @TempDir
    static Path data;

    private static WireMockServer stripe;
    private static TestHub hub;

    @BeforeAll
    static void start() {
        stripe = FakeTwilio.start();
        stripe.stubFor(any(anyUrl()).willReturn(json(200, FakeStripe.paymentIntent("pi_3Never", 1, "usd", "succeeded"))));
        Map<String, String> settings = new HashMap<>(FakeStripe.settings(stripe));
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

    @AfterEach
    void nothingWasCalledOrRecorded() {
        assertThat(stripe.getAllServeEvents()).as("calls to the provider").isEmpty();
        assertThat(hub.store().<Integer>inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT COUNT(*) FROM payment_operations"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        })).as("recorded operations").isZero();
    }

    private static String charge(String amount, String currency) {
        return "{\"amount\": " + amount + ", \"currency\": " + currency + ", \"paymentMethod\": \"pm_card_visa\"}";
    }

    private static String chargeWith(String extra) {
        return "{\"amount\": 1999, \"currency\": \"usd\", \"paymentMethod\": \"pm_card_visa\", " + extra + "}";
    }

    private static String metadataEntries(int count) {
        StringBuilder entries = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            entries.append(i == 0 ? "" : ",").append("\"k").append(i).append("\": \"v\"");
        }
        return entries.append("}").toString();
    }

    static Stream<Arguments> hostile() {
        String charges = "/api/v1/payments/charges";
        String checkout = "/api/v1/payments/checkout-sessions";
        String urls = "\"successUrl\": \"https://example.com/ok\", \"cancelUrl\": \"https://example.com/no\"";
        return Stream.of(
                Arguments.of("zero amount", charges, charge("0", "\"usd\""), 422, "amount"),
                Arguments.of("negative amount", charges, charge("-1999", "\"usd\""), 422, "amount"),
                Arguments.of("fractional amount", charges, charge("19.99", "\"usd\""), 422, "amount"),
                Arguments.of("exponent amount", charges, charge("2e3", "\"usd\""), 422, "amount"),
                Arguments.of("string amount", charges, charge("\"1999\"", "\"usd\""), 422, "amount"),
                Arguments.of("huge amount", charges, charge("100000000", "\"usd\""), 422, "amount"),
                Arguments.of("overflowing amount", charges, charge("92233720368547758070", "\"usd\""), 422, "amount"),
                Arguments.of("amount below the USD minimum", charges, charge("49", "\"usd\""), 422, "amount"),
                Arguments.of("amount below the GBP minimum", charges, charge("29", "\"gbp\""), 422, "amount"),
                Arguments.of("JPY amount below 50 yen", charges, charge("49", "\"jpy\""), 422, "amount"),
                Arguments.of("JPY amount in sen", charges, charge("19.5", "\"jpy\""), 422, "amount"),
                Arguments.of("missing amount", charges, "{\"currency\": \"usd\", \"paymentMethod\": \"pm_card_visa\"}", 422, "amount"),
                Arguments.of("mixed-case currency", charges, charge("1999", "\"Usd\""), 422, "currency"),
                Arguments.of("unknown currency", charges, charge("1999", "\"abc\""), 422, "currency"),
                Arguments.of("four-letter currency", charges, charge("1999", "\"usdt\""), 422, "currency"),
                Arguments.of("test currency XXX", charges, charge("1999", "\"XXX\""), 422, "currency"),
                Arguments.of("numeric currency", charges, charge("1999", "840"), 422, "currency"),
                Arguments.of("missing payment method", charges, "{\"amount\": 1999, \"currency\": \"usd\"}", 422, "paymentMethod"),
                Arguments.of("injected payment method", charges, "{\"amount\": 1999, \"currency\": \"usd\", "
                        + "\"paymentMethod\": \"pm_card_visa&amount=1\"}", 422, "paymentMethod"),
                Arguments.of("customer of another format", charges, chargeWith("\"customer\": \"user_42\""), 422, "customer"),
                Arguments.of("customer with a path", charges, chargeWith("\"customer\": \"cus_1/../../v1/charges\""), 422, "customer"),
                Arguments.of("bracket injection in a metadata key", charges,
                        chargeWith("\"metadata\": {\"a][amount\": \"1\"}"), 422, "metadata"),
                Arguments.of("empty metadata key", charges, chargeWith("\"metadata\": {\"\": \"x\"}"), 422, "metadata"),
                Arguments.of("line break in a metadata key", charges, chargeWith("\"metadata\": {\"a\\nb\": \"x\"}"), 422, "metadata"),
                Arguments.of("10,000 metadata entries", charges, chargeWith("\"metadata\": " + metadataEntries(10_000)), 422, "metadata"),
                Arguments.of("51 metadata entries", charges, chargeWith("\"metadata\": " + metadataEntries(51)), 422, "metadata"),
                Arguments.of("long metadata value", charges, chargeWith("\"metadata\": {\"a\": \"" + "x".repeat(501) + "\"}"), 422, "metadata.a"),
                Arguments.of("object metadata value", charges, chargeWith("\"metadata\": {\"a\": {\"b\": 1}}"), 422, "metadata.a"),
                Arguments.of("metadata list", charges, chargeWith("\"metadata\": [\"a\"]"), 422, "metadata"),
                Arguments.of("long description", charges, chargeWith("\"description\": \"" + "d".repeat(1001) + "\""), 422, "description"),
                Arguments.of("capture as text", charges, chargeWith("\"capture\": \"no\""), 422, "capture"),
                Arguments.of("unknown field", charges, chargeWith("\"amount_captured\": 5"), 422, "amount_captured"),
                Arguments.of("array body", charges, "[1999]", 400, "body"),
                Arguments.of("body that is not JSON", charges, "amount=1999&currency=usd", 400, "body"),
                Arguments.of("duplicate JSON key", charges, "{\"amount\": 1999, \"amount\": 1, \"currency\": \"usd\", "
                        + "\"paymentMethod\": \"pm_card_visa\"}", 400, "body"),
                Arguments.of("refund of an unknown charge", "/api/v1/payments/refunds", "{\"charge\": \"pay_0000000000\"}", 422, "charge"),
                Arguments.of("refund of zero", "/api/v1/payments/refunds", "{\"charge\": \"pi_3Abc\", \"amount\": 0}", 422, "amount"),
                Arguments.of("refund for no reason Stripe knows", "/api/v1/payments/refunds",
                        "{\"charge\": \"pi_3Abc\", \"reason\": \"because\"}", 422, "reason"),
                Arguments.of("refund of a customer id", "/api/v1/payments/refunds", "{\"charge\": \"cus_3Abc\"}", 422, "charge"),
                Arguments.of("checkout in setup mode", checkout, "{\"mode\": \"setup\", \"lineItems\": [{\"price\": \"price_1\"}], "
                        + urls + "}", 422, "mode"),
                Arguments.of("checkout without items", checkout, "{\"mode\": \"payment\", \"lineItems\": [], " + urls + "}", 422, "lineItems"),
                Arguments.of("checkout item with a price and an amount", checkout, "{\"mode\": \"payment\", \"lineItems\": "
                        + "[{\"price\": \"price_1\", \"amount\": 100, \"currency\": \"usd\", \"name\": \"x\"}], " + urls + "}", 422, "lineItems[0]"),
                Arguments.of("checkout with a script URL", checkout, "{\"mode\": \"payment\", \"lineItems\": [{\"price\": \"price_1\"}], "
                        + "\"successUrl\": \"javascript:alert(1)\", \"cancelUrl\": \"https://example.com/no\"}", 422, "successUrl"),
                Arguments.of("subscription checkout with an ad-hoc amount", checkout, "{\"mode\": \"subscription\", \"lineItems\": "
                        + "[{\"amount\": 500, \"currency\": \"usd\", \"name\": \"Plan\"}], " + urls + "}", 422, "lineItems[0].price"),
                Arguments.of("checkout quantity of zero", checkout, "{\"mode\": \"payment\", \"lineItems\": [{\"price\": \"price_1\", "
                        + "\"quantity\": 0}], " + urls + "}", 422, "lineItems[0].quantity"),
                Arguments.of("portal with an ftp return URL", "/api/v1/payments/portal-sessions",
                        "{\"customer\": \"cus_1\", \"returnUrl\": \"ftp://example.com\"}", 422, "returnUrl"),
                Arguments.of("portal without a customer", "/api/v1/payments/portal-sessions",
                        "{\"returnUrl\": \"https://example.com\"}", 422, "customer"),
                Arguments.of("customer email that is not one", "/api/v1/payments/customers", "{\"email\": \"not an email\"}", 422, "email"),
                Arguments.of("customer email with a header injection", "/api/v1/payments/customers",
                        "{\"email\": \"ann@example.com\\r\\nBcc: all@example.com\"}", 422, "email"),
                Arguments.of("cancel of a customer id", "/api/v1/payments/subscriptions/cus_1/cancel", "{}", 422, "subscription"),
                Arguments.of("cancel of an encoded path", "/api/v1/payments/subscriptions/sub_1%2F..%2Fx/cancel", "{}", 422, "subscription"),
                Arguments.of("cancel with atPeriodEnd as text", "/api/v1/payments/subscriptions/sub_1/cancel",
                        "{\"atPeriodEnd\": \"yes\"}", 422, "atPeriodEnd"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void isRefusedBeforeAnythingHappens(String name, String path, String body, int status, String field) {
        HttpResponse<String> response = hub.post(path, body, "Idempotency-Key", "hostile-" + name.hashCode());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("\"field\":\"" + field + "\"");
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("text/plain body", "text/plain", "hostile-text", 415),
                Arguments.of("malformed Idempotency-Key", "application/json", "key with spaces", 400),
                Arguments.of("Idempotency-Key of 256 characters", "application/json", "k".repeat(256), 400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void isRefusedForItsHeaders(String name, String contentType, String key, int status) {
        HttpResponse<String> response = hub.post("/api/v1/payments/charges", charge("1999", "\"usd\""),
                "Content-Type", contentType, "Idempotency-Key", key);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    }

    /** The charges the API refuses as invalid content, as a route would send them. */
    static Stream<Arguments> hostileCharges() {
        return hostile().filter(row -> row.get()[1].equals("/api/v1/payments/charges") && row.get()[3].equals(422));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileCharges")
    void isRefusedFromARouteToo(String name, String path, String body, int status, String field) {
        Exception failure = hub.producer().send("direct:charge-payment", e -> e.getMessage().setBody(body)).getException();
        assertThat(failure).isInstanceOf(io.integrationhub.delivery.InvalidMessageException.class);
        assertThat(((io.integrationhub.delivery.InvalidMessageException) failure).errors())
                .anyMatch(error -> error.field().equals(field));
    }
}
