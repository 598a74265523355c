package io.integrationhub.testing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

/**
 * Stripe's API as WireMock plays it for the tests: an obviously fake key, the settings that point a hub at it, and
 * Stripe's documented answers (objects and error bodies, https://docs.stripe.com/api/errors).
 */
public final class FakeStripe {

    /** Shaped like a test key; not a real one. */
    public static final String SECRET_KEY = "sk_test_hubtests0000000000000000notreal";

    private FakeStripe() {
    }

    /** What makes a hub take payments through Stripe at the server, with a short budget and its throttle out of the way. */
    public static Map<String, String> settings(WireMockServer server) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("payment.provider", "stripe");
        settings.put("stripe.base-url", "http://localhost:" + server.port());
        settings.put("stripe.secret-key", SECRET_KEY);
        settings.put("stripe.read-timeout-ms", "2000");
        settings.put("payments.request-timeout-ms", "4000");
        settings.put("payments.stripe.rate", "1000");
        return settings;
    }

    public static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withHeader("Request-Id", "req_test").withBody(body);
    }

    public static String paymentIntent(String id, long amount, String currency, String status) {
        return """
                {"id": "%s", "object": "payment_intent", "amount": %d, "amount_received": %d, "currency": "%s",
                 "status": "%s", "customer": null, "livemode": false, "next_action": null, "metadata": {}}
                """.formatted(id, amount, "succeeded".equals(status) ? amount : 0, currency, status);
    }

    /** A card error as Stripe answers it: 402 with the code, the decline code and the declined payment intent. */
    public static String cardError(String code, String declineCode, String paymentIntent) {
        return """
                {"error": {"type": "card_error", "code": "%s", "decline_code": "%s",
                 "message": "Your card was declined.", "doc_url": "https://stripe.com/docs/error-codes/%s",
                 "payment_intent": %s}}
                """.formatted(code, declineCode, code, paymentIntent(paymentIntent, 1999, "usd", "requires_payment_method"));
    }

    public static String invalidRequest(String code, String param, String message) {
        return """
                {"error": {"type": "invalid_request_error", "code": "%s", "param": "%s", "message": "%s"}}
                """.formatted(code, param, message);
    }

    public static String error(String type, String code, String message) {
        return """
                {"error": {"type": "%s"%s, "message": "%s"}}
                """.formatted(type, code == null ? "" : ", \"code\": \"" + code + "\"", message);
    }

    /** The form fields of a request as Stripe receives them ({@code metadata[order]} as is). */
    public static Map<String, String> form(LoggedRequest request) {
        Map<String, String> fields = new LinkedHashMap<>();
        String body = request.getBodyAsString();
        if (body == null || body.isEmpty()) {
            return fields;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }

    public static List<LoggedRequest> requests(WireMockServer server, String path) {
        return server.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo(path)));
    }
}
