package io.integrationhub.payments;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.integrationhub.Settings;
import io.integrationhub.api.ApiDocs;
import io.integrationhub.api.ApiErrorHandling;
import io.integrationhub.api.ApiProblem;
import io.integrationhub.api.Idempotency;
import io.integrationhub.api.JsonBodies;
import io.integrationhub.api.JsonResponses;
import io.integrationhub.api.Problems;
import io.integrationhub.api.RequestParameters;
import io.integrationhub.delivery.CircuitBreakers;
import io.integrationhub.delivery.DeliveryException;
import io.integrationhub.delivery.InvalidMessageException;
import io.integrationhub.delivery.ProviderGuard;
import io.integrationhub.delivery.ProviderUnavailableException;
import io.integrationhub.delivery.TransientDeliveryException;
import io.integrationhub.security.Caller;
import io.integrationhub.security.Callers;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.RestParamType;

/**
 * Payments, synchronous: the caller gets the outcome now.
 * <ul>
 * <li>{@code direct:charge-payment}, {@code direct:create-customer}, {@code direct:create-checkout-session},
 * {@code direct:create-portal-session}, {@code direct:refund-payment}, {@code direct:cancel-subscription}: the
 * request as the body (a map, JSON text or the request record; for a cancellation the body names
 * {@code subscription}), the exchange property {@code idempotencyKey} to make it safe to repeat; the result record
 * ({@link Charge}, {@link Customer}, ...) as the body, or a typed exception;</li>
 * <li>{@code /api/v1/payments/...}: the same over HTTP, each POST with an Idempotency-Key;</li>
 * <li>{@code direct:guarded-payments-<provider>}: the provider's throttle ({@code payments.<provider>.rate}) and
 * circuit breaker ({@code breaker.payments-<provider>.*}) around {@code direct:payments-<provider>};</li>
 * <li>the reconciler, which asks the provider again about operations left pending.</li>
 * </ul>
 */
public class PaymentRoutes extends RouteBuilder {

    /** Set by a route calling a payment entry to make it safe to repeat. */
    public static final String IDEMPOTENCY_KEY = "idempotencyKey";
    private static final ObjectMapper JSON = JsonResponses.JSON;

    @Override
    public void configure() {
        Payments payments = getContext().getRegistry().lookupByNameAndType(Payments.BEAN, Payments.class);
        PaymentProvider provider = getContext().getRegistry().lookupByNameAndType(PaymentsConfiguration.PROVIDER_BEAN,
                PaymentProvider.class);
        String name = payments.provider();
        String rateKey = name.replace("payments-", "payments.") + ".rate";
        templatedRoute(ProviderGuard.TEMPLATE).routeId("guard-" + name)
                .parameter("provider", name)
                .parameter("rate", Settings.get(getContext(), rateKey))
                .parameter("breaker", CircuitBreakers.of(getContext()).register(name));

        from("direct:" + name).routeId(name)
                .errorHandler(noErrorHandler())
                .process(e -> {
                    Payments.Call call = e.getProperty(Payments.CALL, Payments.Call.class);
                    e.getMessage().setBody(provider.call(call.operation(), call.request(), call.providerKey(), call.timeout()));
                });

        for (PaymentOperation operation : PaymentOperation.values()) {
            from("direct:" + operation.route()).routeId(operation.route())
                    .errorHandler(noErrorHandler())
                    .process(e -> e.getMessage().setBody(fromRoute(payments, operation, e)));
        }

        from("timer:payments-reconcile?delay=2000&period={{payments.reconcile-interval-ms}}").routeId("payments-reconcile")
                .process(e -> payments.reconcile(20));

        api(payments);
    }

    /** An in-JVM call: the request from the body, the key from {@code idempotencyKey}, scoped to the calling route. */
    private static Object fromRoute(Payments payments, PaymentOperation operation, Exchange e) throws Exception {
        Object body = e.getMessage().getBody();
        JsonNode node;
        if (body instanceof String text) {
            node = JsonBodies.strictMapper().readTree(text);
        } else if (body instanceof byte[] bytes) {
            node = JsonBodies.strictMapper().readTree(bytes);
        } else {
            node = JSON.valueToTree(body);
        }
        if (node == null || !node.isObject()) {
            throw new InvalidMessageException("body", "must be the " + operation.route() + " request: an object");
        }
        Object request = PaymentRequests.parse(operation, node);
        String key = e.getProperty(IDEMPOTENCY_KEY, String.class);
        if (key != null && !Idempotency.isWellFormed(key)) {
            throw new InvalidMessageException(IDEMPOTENCY_KEY, Idempotency.KEY_SHAPE);
        }
        java.util.Optional<Caller> caller = Callers.tryOf(e);
        String scope = "direct:" + operation.route() + " from " + e.getFromRouteId()
                + caller.map(c -> " for " + c.keyName()).orElse("");
        return payments.execute(operation, scope, caller.map(Caller::isAdmin).orElse(true), key,
                Idempotency.requestHash("CALL", operation.route(), JsonResponses.write(request)), request);
    }

    private void api(Payments payments) {
        RestDefinition rest = ApiDocs.bearer(rest("/api/v1/payments")
                .description("Payments through the configured provider, answered synchronously"));
        post(rest, "/charges", "rest-payments-charge", "Charge a payment method now (a payment intent created and "
                + "confirmed); 201 with its status, 402 when the card is declined", 201, "The charge",
                PaymentOperation.CHARGE);
        post(rest, "/customers", "rest-payments-customer", "Create a customer at the payment provider", 201,
                "The customer", PaymentOperation.CREATE_CUSTOMER);
        post(rest, "/checkout-sessions", "rest-payments-checkout", "Open a hosted checkout page; send the customer to its url",
                201, "The session and its url", PaymentOperation.CREATE_CHECKOUT_SESSION);
        post(rest, "/portal-sessions", "rest-payments-portal", "Open the hosted customer portal; send the customer to its url",
                201, "The session and its url", PaymentOperation.CREATE_PORTAL_SESSION);
        post(rest, "/refunds", "rest-payments-refund", "Refund a charge, in full or in part (never more than was charged)",
                201, "The refund", PaymentOperation.REFUND);
        ApiDocs.answers(ApiDocs.idempotencyKey(rest.post("/subscriptions/{id}/cancel").id("rest-payments-cancel")
                        .consumes("application/json").produces("application/json")
                        .description("Cancel a subscription now, or at the end of the paid period ({\"atPeriodEnd\": true})")
                        .type(io.integrationhub.api.docs.SubscriptionCancel.class)
                        .param().name("id").type(RestParamType.path).required(true).dataType("string")
                            .description("The subscription (sub_...)").endParam()),
                200, "The subscription after the cancellation", Subscription.class, 400, 401, 404, 409, 415, 422, 502, 503)
                .to("direct:api-payments-cancel-subscription");
        ApiDocs.answers(rest.get("/charges/{id}").id("rest-payments-charge-get").produces("application/json")
                        .description("A charge from the hub's own record (pending while its outcome is being confirmed)")
                        .param().name("id").type(RestParamType.path).required(true).dataType("string")
                            .description("The charge's id (pay_...)").endParam(),
                200, "The charge", Charge.class, 401, 404, 503)
                .to("direct:api-payments-charge-get");

        for (PaymentOperation operation : PaymentOperation.values()) {
            from("direct:api-payments-" + operation.route()).routeId("api-payments-" + operation.route())
                    .routeConfigurationId(ApiErrorHandling.ID)
                    .process(e -> {
                        Caller caller = Callers.of(e);
                        JsonNode request = JsonBodies.readObject(e);
                        String key = RequestParameters.header(e, Idempotency.HEADER);
                        if (key != null) {
                            Idempotency.validateKey(key);
                        }
                        String path = e.getMessage().getHeader(Exchange.HTTP_PATH, String.class);
                        if (operation == PaymentOperation.CANCEL_SUBSCRIPTION) {
                            if (request.has("subscription")) {
                                throw new InvalidMessageException("subscription", "is not a known field (the subscription is in the path)");
                            }
                            String id = RequestParameters.path(e, "/api/v1/payments/subscriptions/{id}/cancel", "id");
                            ((ObjectNode) request).put("subscription", id);
                        }
                        Object parsed = PaymentRequests.parse(operation, request);
                        String hash = Idempotency.requestHash("POST", String.valueOf(path), JsonBodies.canonical(request));
                        try {
                            Object result = payments.execute(operation, caller.keyName(), caller.isAdmin(), key, hash, parsed);
                            JsonResponses.respond(e, operation == PaymentOperation.CANCEL_SUBSCRIPTION ? 200 : 201, result);
                        } catch (DeliveryException failure) {
                            respondFailure(e, failure);
                        }
                    });
        }

        from("direct:api-payments-charge-get").routeId("api-payments-charge-get").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    Caller caller = Callers.of(e);
                    String id = RequestParameters.path(e, "/api/v1/payments/charges/{id}", "id");
                    Payments.Operation charge = id == null ? null
                            : payments.charge(id, caller.keyName(), caller.isAdmin()).orElse(null);
                    if (charge == null) {
                        throw ApiProblem.notFound("charge " + (id == null ? "" : id.replaceAll("[^A-Za-z0-9_]", "")));
                    }
                    JsonResponses.respond(e, 200, view(charge));
                });
    }

    private void post(RestDefinition rest, String path, String id, String description, int ok, String answer,
                      PaymentOperation operation) {
        ApiDocs.answers(ApiDocs.idempotencyKey(rest.post(path).id(id).consumes("application/json")
                        .produces("application/json").description(description).type(requestModel(operation))),
                ok, answer, operation.resultType(), operation == PaymentOperation.CHARGE ? new int[] {400, 401, 402, 409, 413,
                        415, 422, 502, 503} : new int[] {400, 401, 404, 409, 413, 415, 422, 502, 503})
                .to("direct:api-payments-" + operation.route());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readMap(String json) {
        try {
            return JsonResponses.JSON.readValue(json, Map.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The documented request body of an operation. */
    private static Class<?> requestModel(PaymentOperation operation) {
        return switch (operation) {
            case CHARGE -> io.integrationhub.api.docs.ChargeRequest.class;
            case CREATE_CUSTOMER -> io.integrationhub.api.docs.CustomerRequest.class;
            case CREATE_CHECKOUT_SESSION -> io.integrationhub.api.docs.CheckoutSessionRequest.class;
            case CREATE_PORTAL_SESSION -> io.integrationhub.api.docs.PortalSessionRequest.class;
            case REFUND -> io.integrationhub.api.docs.RefundRequest.class;
            case CANCEL_SUBSCRIPTION -> io.integrationhub.api.docs.SubscriptionCancel.class;
        };
    }

    /** A charge as recorded: its result, its refusal, or pending while the outcome is being confirmed. */
    private static Map<String, Object> view(Payments.Operation charge) throws Exception {
        Map<String, Object> view = new LinkedHashMap<>();
        JsonNode request = JSON.readTree(charge.request());
        if (charge.state().equals("done")) {
            view.putAll(JSON.convertValue(JSON.readTree(charge.outcome()).get("result"), Map.class));
            return view;
        }
        view.put("id", charge.id());
        view.put("status", charge.state().equals("pending") ? "pending" : "failed");
        view.put("amount", request.path("amount").asLong());
        view.put("currency", request.path("currency").asText());
        if (charge.state().equals("failed")) {
            JsonNode error = JSON.readTree(charge.outcome()).get("error");
            if (error.has("code")) {
                view.put("code", error.get("code").asText());
            }
            if (error.hasNonNull("declineCode")) {
                view.put("declineCode", error.get("declineCode").asText());
            }
            if (error.hasNonNull("providerId")) {
                view.put("providerId", error.get("providerId").asText());
            }
        }
        return view;
    }

    /**
     * A payment failure as the API answers it: declined 402 with Stripe's codes, conflict 409, not found 404,
     * refused credentials 502, an open breaker or an outcome still unknown 503 with Retry-After.
     */
    static void respondFailure(Exchange e, DeliveryException failure) {
        if (failure instanceof PaymentDeclinedException declined) {
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("type", "about:blank");
            problem.put("title", "Payment declined");
            problem.put("status", 402);
            problem.put("detail", "the card was declined");
            problem.put("code", declined.code());
            if (declined.declineCode() != null) {
                problem.put("declineCode", declined.declineCode());
            }
            Problems.respond(e, 402, "Payment declined", "the card was declined", null);
            e.getMessage().setBody(JsonResponses.write(problem));
        } else if (failure instanceof PaymentConflictException) {
            Problems.respond(e, 409, "Conflict", "the payment provider refused the request as a repeat of another "
                    + "request with the same idempotency key", null);
        } else if (failure instanceof PaymentNotFoundException) {
            Problems.respond(e, 404, "Not found", failure.getMessage().substring(failure.provider().length() + 2), null);
        } else if (failure instanceof PaymentCredentialsException) {
            Problems.respond(e, 502, "Bad gateway", "the payment provider refused the hub's credentials", null);
        } else if (failure instanceof ProviderUnavailableException) {
            Problems.respond(e, new ApiProblem(503, "Payment provider unavailable", "the payment provider is failing; "
                    + "the hub does not call it until it recovers (nothing was charged)")
                    .retryAfter(CircuitBreakers.of(e.getContext()).openWait(failure.provider())));
        } else if (failure instanceof TransientDeliveryException transientFailure) {
            Problems.respond(e, new ApiProblem(503, "Payment provider unavailable", "the payment provider did not "
                    + "answer in time; the hub keeps asking it with the same idempotency key: repeat the request with "
                    + "the same Idempotency-Key to get its outcome")
                    .retryAfter(transientFailure.retryAfter() != null ? transientFailure.retryAfter()
                            : java.time.Duration.ofSeconds(5)));
            if (failure instanceof PaymentPendingException pending) {
                // the operation's id, to read a charge's outcome later (GET /api/v1/payments/charges/{id})
                Map<String, Object> problem = new LinkedHashMap<>(readMap(e.getMessage().getBody(String.class)));
                problem.put("id", pending.operationId());
                e.getMessage().setBody(JsonResponses.write(problem));
            }
        } else {
            Problems.respond(e, 502, "Bad gateway", "the payment provider refused the request"
                    + (failure.providerCode() == null ? "" : " (" + failure.providerCode() + ")"), null);
        }
    }
}
