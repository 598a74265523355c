package io.integrationhub.payments;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.api.Idempotency;
import io.integrationhub.api.JsonResponses;
import io.integrationhub.delivery.InvalidMessageException;
import io.integrationhub.payments.PaymentRequests.CancelSubscriptionRequest;
import io.integrationhub.payments.PaymentRequests.ChargeRequest;
import io.integrationhub.payments.PaymentRequests.CheckoutSessionRequest;
import io.integrationhub.payments.PaymentRequests.CustomerRequest;
import io.integrationhub.payments.PaymentRequests.PortalSessionRequest;
import io.integrationhub.payments.PaymentRequests.RefundRequest;
import io.integrationhub.store.Store;

/**
 * The embedded payment provider ({@code PAYMENT_PROVIDER=mock}, the default): it behaves like Stripe's test mode and
 * keeps everything in the hub's store, so it lasts across restarts. Stripe's test payment methods give Stripe's
 * outcomes ({@link #OUTCOMES}); answers are kept per Idempotency-Key and replayed as Stripe does (the same key with
 * other parameters is a conflict); refunds never exceed what was charged. Checkout and portal sessions are small
 * pages the hub serves ({@link MockPaymentPages}).
 */
public final class MockPayments implements PaymentProvider {

    public static final String PROVIDER = "payments-mock";

    /** A test payment method's outcome: succeeds, needs authentication, or is declined with Stripe's codes. */
    public record Outcome(String status, String code, String declineCode) {
    }

    /** Stripe's test payment methods (https://docs.stripe.com/testing) and what they do. */
    public static final Map<String, Outcome> OUTCOMES = outcomes();

    private static Map<String, Outcome> outcomes() {
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        for (String card : List.of("pm_card_visa", "pm_card_mastercard", "pm_card_amex", "pm_card_discover",
                "pm_card_visa_debit", "pm_card_mastercard_debit", "pm_card_jcb", "pm_card_unionpay")) {
            outcomes.put(card, new Outcome("succeeded", null, null));
        }
        outcomes.put("pm_card_chargeDeclined", new Outcome("declined", "card_declined", "generic_decline"));
        outcomes.put("pm_card_visa_chargeDeclined", new Outcome("declined", "card_declined", "generic_decline"));
        outcomes.put("pm_card_chargeDeclinedInsufficientFunds", new Outcome("declined", "card_declined", "insufficient_funds"));
        outcomes.put("pm_card_visa_chargeDeclinedInsufficientFunds", new Outcome("declined", "card_declined", "insufficient_funds"));
        outcomes.put("pm_card_chargeDeclinedLostCard", new Outcome("declined", "card_declined", "lost_card"));
        outcomes.put("pm_card_chargeDeclinedStolenCard", new Outcome("declined", "card_declined", "stolen_card"));
        outcomes.put("pm_card_chargeDeclinedFraudulent", new Outcome("declined", "card_declined", "fraudulent"));
        outcomes.put("pm_card_chargeDeclinedExpiredCard", new Outcome("declined", "expired_card", "expired_card"));
        outcomes.put("pm_card_chargeDeclinedIncorrectCvc", new Outcome("declined", "incorrect_cvc", "incorrect_cvc"));
        outcomes.put("pm_card_chargeDeclinedProcessingError", new Outcome("declined", "processing_error", "processing_error"));
        outcomes.put("pm_card_authenticationRequired", new Outcome("requires_action", null, null));
        outcomes.put("pm_card_authenticationRequiredOnSetup", new Outcome("requires_action", null, null));
        return Map.copyOf(outcomes);
    }

    private static final ObjectMapper JSON = JsonResponses.JSON;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    private final Store store;
    private final Clock clock;
    private final String pagesBaseUrl;

    /** {@code pagesBaseUrl}: where the hub serves the checkout and portal pages ({@code http://localhost:8080}). */
    public MockPayments(Store store, Clock clock, String pagesBaseUrl) {
        this.store = store;
        this.clock = clock;
        this.pagesBaseUrl = pagesBaseUrl.endsWith("/") ? pagesBaseUrl.substring(0, pagesBaseUrl.length() - 1) : pagesBaseUrl;
    }

    public static String newId(String prefix) {
        StringBuilder id = new StringBuilder(prefix);
        for (int i = 0; i < 24; i++) {
            id.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return id.toString();
    }

    @Override
    public Charge charge(ChargeRequest request, String idempotencyKey, Duration timeout) {
        return once(idempotencyKey, "charge", request, Charge.class, c -> {
            requireCustomer(c, request.customer(), "customer");
            Outcome outcome = OUTCOMES.get(request.paymentMethod());
            if (outcome == null) {
                throw new InvalidMessageException("paymentMethod", "does not exist (the mock provider knows Stripe's "
                        + "test payment methods, such as pm_card_visa and pm_card_chargeDeclined)");
            }
            String id = newId("pi_mock");
            String status = switch (outcome.status()) {
                case "succeeded" -> request.capture() ? "succeeded" : "requires_capture";
                case "declined" -> "requires_payment_method";
                default -> outcome.status();
            };
            insert(c, id, "payment_intent", status, request.amount(), request.currency(), request.customer(),
                    Map.of("paymentMethod", request.paymentMethod(), "metadata", request.metadata() == null ? Map.of() : request.metadata()));
            if (outcome.code() != null) {
                throw new PaymentDeclinedException(PROVIDER, outcome.code(), outcome.declineCode(), id);
            }
            Map<String, Object> nextAction = status.equals("requires_action") ? Map.of("type", "use_stripe_sdk") : null;
            return new Charge(null, status, request.amount(), request.currency(), id, request.customer(), nextAction);
        });
    }

    @Override
    public Customer createCustomer(CustomerRequest request, String idempotencyKey, Duration timeout) {
        return once(idempotencyKey, "customer", request, Customer.class, c -> {
            String id = newId("cus_mock");
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("email", request.email());
            data.put("name", request.name());
            insert(c, id, "customer", "active", null, null, id, data);
            return new Customer(id, request.email(), request.name());
        });
    }

    @Override
    public CheckoutSession createCheckoutSession(CheckoutSessionRequest request, String idempotencyKey, Duration timeout) {
        return once(idempotencyKey, "checkout-session", request, CheckoutSession.class, c -> {
            requireCustomer(c, request.customer(), "customer");
            String id = newId("cs_mock");
            insert(c, id, "checkout_session", "open", null, null, request.customer(), JSON.convertValue(request, Map.class));
            return new CheckoutSession(id, pagesBaseUrl + "/mock-payments/checkout/" + id);
        });
    }

    @Override
    public PortalSession createPortalSession(PortalSessionRequest request, String idempotencyKey, Duration timeout) {
        return once(idempotencyKey, "portal-session", request, PortalSession.class, c -> {
            requireCustomer(c, request.customer(), "customer");
            String id = newId("bps_mock");
            insert(c, id, "portal_session", "open", null, null, request.customer(), JSON.convertValue(request, Map.class));
            return new PortalSession(id, pagesBaseUrl + "/mock-payments/portal/" + id);
        });
    }

    @Override
    public Refund refund(RefundRequest request, String idempotencyKey, Duration timeout) {
        return once(idempotencyKey, "refund", request, Refund.class, c -> {
            MockObject charged = find(c, request.paymentIntent(), "payment_intent")
                    .orElseThrow(() -> new InvalidMessageException("charge", "does not exist"));
            if (!charged.status().equals("succeeded")) {
                throw new InvalidMessageException("charge", "has no successful payment to refund (it is " + charged.status() + ")");
            }
            long left = charged.amount() - charged.amountRefunded();
            if (left <= 0) {
                throw new InvalidMessageException("charge", "has already been refunded in full");
            }
            long amount = request.amount() == null ? left : request.amount();
            if (amount > left) {
                throw new InvalidMessageException("amount", "is more than the " + left + " left to refund on the charge");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE mock_payment_objects SET amount_refunded = amount_refunded + ? WHERE id = ?")) {
                ps.setLong(1, amount);
                ps.setString(2, charged.id());
                ps.executeUpdate();
            }
            String id = newId("re_mock");
            insert(c, id, "refund", "succeeded", amount, charged.currency(), charged.customer(),
                    Map.of("paymentIntent", charged.id(), "reason", request.reason() == null ? "" : request.reason()));
            return new Refund(id, "succeeded", amount, charged.currency(), request.charge());
        });
    }

    @Override
    public Subscription cancelSubscription(CancelSubscriptionRequest request, String idempotencyKey, Duration timeout) {
        return once(idempotencyKey, "subscription-cancel", request, Subscription.class, c -> {
            MockObject subscription = find(c, request.subscription(), "subscription")
                    .orElseThrow(() -> new PaymentNotFoundException(PROVIDER, "subscription " + request.subscription()));
            if (subscription.status().equals("canceled")) {
                return new Subscription(subscription.id(), "canceled", false);
            }
            String status = request.atPeriodEnd() ? "active" : "canceled";
            Map<String, Object> data = new LinkedHashMap<String, Object>(read(subscription.data(), Map.class));
            data.put("cancelAtPeriodEnd", request.atPeriodEnd());
            try (PreparedStatement ps = c.prepareStatement("UPDATE mock_payment_objects SET status = ?, data = ? WHERE id = ?")) {
                ps.setString(1, status);
                ps.setString(2, JsonResponses.write(data));
                ps.setString(3, subscription.id());
                ps.executeUpdate();
            }
            return new Subscription(subscription.id(), status, request.atPeriodEnd());
        });
    }

    /** An object of the mock's store. */
    public record MockObject(String id, String kind, String status, long amount, long amountRefunded, String currency,
                             String customer, String data) {
    }

    public Optional<MockObject> find(String id, String kind) {
        return store.inTransaction(c -> find(c, id, kind));
    }

    /** The subscriptions of a customer, for the portal page. */
    public List<MockObject> subscriptions(String customer) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, kind, status, amount, amount_refunded, currency, "
                    + "customer, data FROM mock_payment_objects WHERE kind = 'subscription' AND customer = ? ORDER BY created_at")) {
                ps.setString(1, customer);
                try (ResultSet rs = ps.executeQuery()) {
                    List<MockObject> found = new java.util.ArrayList<>();
                    while (rs.next()) {
                        found.add(object(rs));
                    }
                    return found;
                }
            }
        });
    }

    /**
     * The customer pays on the checkout page: the session completes once (a second submit changes nothing) with a
     * succeeded payment, or a subscription per line item in subscription mode. Returns the session's success URL.
     */
    public String completeCheckout(String sessionId) {
        return store.inTransaction(c -> {
            MockObject session = find(c, sessionId, "checkout_session")
                    .orElseThrow(() -> new PaymentNotFoundException(PROVIDER, "checkout session " + sessionId));
            CheckoutSessionRequest request = read(session.data(), CheckoutSessionRequest.class);
            String success = request.successUrl().replace("{CHECKOUT_SESSION_ID}", sessionId);
            if (!session.status().equals("open")) {
                return success;
            }
            String customer = request.customer();
            if (customer == null) {
                customer = newId("cus_mock");
                insert(c, customer, "customer", "active", null, null, customer, Map.of("checkoutSession", sessionId));
            }
            if (request.mode().equals("subscription")) {
                for (PaymentRequests.LineItem item : request.lineItems()) {
                    insert(c, newId("sub_mock"), "subscription", "active", null, null, customer,
                            Map.of("price", item.price(), "quantity", item.quantity(), "checkoutSession", sessionId,
                                    "cancelAtPeriodEnd", false));
                }
            } else {
                long total = request.lineItems().stream().mapToLong(i -> i.amount() * i.quantity()).sum();
                insert(c, newId("pi_mock"), "payment_intent", "succeeded", total, request.lineItems().get(0).currency(),
                        customer, Map.of("checkoutSession", sessionId));
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE mock_payment_objects SET status = 'complete', customer = ? WHERE id = ?")) {
                ps.setString(1, customer);
                ps.setString(2, sessionId);
                ps.executeUpdate();
            }
            return success;
        });
    }

    /** Runs an operation once per Idempotency-Key, as Stripe does: the same key again is the first answer again. */
    private <T> T once(String key, String operation, Object request, Class<T> type, Store.Work<T> work) {
        String hash = Idempotency.requestHash("MOCK", operation, JsonResponses.write(request));
        for (int round = 0; ; round++) {
            try {
                String answer = store.inSharedTransaction(c -> {
                    Optional<String> answered = answer(c, key, hash);
                    if (answered.isPresent()) {
                        return answered.get();
                    }
                    String outcome;
                    try {
                        outcome = PaymentOutcomes.result(work.apply(c));
                    } catch (RuntimeException failure) {
                        if (!PaymentOutcomes.isFinal(failure)) {
                            throw failure;
                        }
                        // kept with what was written before it: a declined charge keeps its payment intent, as at Stripe
                        outcome = PaymentOutcomes.failure(failure);
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO mock_payment_requests (idempotency_key, "
                            + "request_hash, answer, created_at) VALUES (?, ?, ?, ?)")) {
                        ps.setString(1, key);
                        ps.setString(2, hash);
                        ps.setString(3, outcome);
                        ps.setObject(4, store.time(clock.instant()));
                        ps.executeUpdate();
                    }
                    return outcome;
                });
                return replay(answer, type);
            } catch (RuntimeException e) {
                if (!Store.isUniqueViolation(e) || round > 2) {
                    throw e;
                }
            }
        }
    }

    private <T> T replay(String answer, Class<T> type) {
        JsonNode node = read(answer, JsonNode.class);
        if (node.has("result")) {
            return JSON.convertValue(node.get("result"), type);
        }
        throw PaymentOutcomes.failureOf(node.get("error"));
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable mock payment data", e);
        }
    }

    private Optional<String> answer(Connection c, String key, String hash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT request_hash, answer FROM mock_payment_requests WHERE idempotency_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                if (!rs.getString(1).equals(hash)) {
                    throw new PaymentConflictException(PROVIDER, "Keys for idempotent requests can only be used with "
                            + "the same parameters they were first used with");
                }
                return Optional.of(rs.getString(2));
            }
        }
    }

    private void requireCustomer(Connection c, String customer, String field) throws SQLException {
        if (customer != null && find(c, customer, "customer").isEmpty()) {
            throw new InvalidMessageException(field, "does not exist");
        }
    }

    private Optional<MockObject> find(Connection c, String id, String kind) throws SQLException {
        if (id == null) {
            return Optional.empty();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id, kind, status, amount, amount_refunded, currency, "
                + "customer, data FROM mock_payment_objects WHERE id = ? AND kind = ?")) {
            ps.setString(1, id);
            ps.setString(2, kind);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(object(rs)) : Optional.empty();
            }
        }
    }

    private static MockObject object(ResultSet rs) throws SQLException {
        return new MockObject(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                rs.getString(6), rs.getString(7), rs.getString(8));
    }

    private void insert(Connection c, String id, String kind, String status, Long amount, String currency,
                        String customer, Map<String, ?> data) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO mock_payment_objects (id, kind, status, amount, "
                + "amount_refunded, currency, customer, data, created_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, kind);
            ps.setString(3, status);
            ps.setObject(4, amount);
            ps.setString(5, currency);
            ps.setString(6, customer);
            ps.setString(7, JsonResponses.write(data));
            ps.setObject(8, store.time(clock.instant()));
            ps.executeUpdate();
        }
    }
}
