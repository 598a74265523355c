package io.integrationhub.payments;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.api.ApiProblem;
import io.integrationhub.api.JsonResponses;
import io.integrationhub.delivery.DeliveryException;
import io.integrationhub.delivery.InvalidMessageException;
import io.integrationhub.delivery.ProviderGuard;
import io.integrationhub.delivery.ProviderUnavailableException;
import io.integrationhub.delivery.TransientDeliveryException;
import io.integrationhub.payments.PaymentRequests.RefundRequest;
import io.integrationhub.store.Store;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every payment operation, never twice. The operation is recorded before the provider is called ({@code pending},
 * with the Idempotency-Key the provider is sent) and completed after it. The provider's key is derived from the
 * record, so every call for one operation carries the same key: a call whose outcome is unknown (a timeout, a
 * connection dropped after the request was sent) is asked again with it, within the request's time budget, and the
 * provider answers with the first outcome instead of acting twice. A record left pending (the hub was killed between
 * the provider's answer and the record, or the budget ran out) is reconciled the same way: at start, every
 * {@code payments.reconcile-interval-ms}, and when the caller repeats the request with its Idempotency-Key.
 * <p>
 * The caller's Idempotency-Key is unique per scope (the API key's name, or the calling route): the same key and
 * request answer with the first outcome, a concurrent one waits for it, another request with the key is a 422.
 * Final refusals (declined, invalid, conflict, not found) are kept and replayed like results; failures where the
 * provider did nothing (refused credentials, an open breaker) leave no record, so the request can simply be repeated.
 */
public final class Payments {

    public static final String BEAN = "payments";
    /** The exchange property a provider's route finds its call on. */
    static final String CALL = "hubPaymentCall";
    private static final Logger LOG = LoggerFactory.getLogger(Payments.class);
    private static final ObjectMapper JSON = JsonResponses.JSON;

    /** One call to the provider, as its guarded route makes it. */
    record Call(PaymentOperation operation, Object request, String providerKey, Duration timeout) {
    }

    /** A recorded operation. */
    public record Operation(String id, PaymentOperation operation, String scope, String requestHash, String providerKey,
                            String request, String state, int attempts, Instant leaseUntil, String outcome,
                            String target, Long amount, Instant createdAt) {
    }

    private final Store store;
    private final Clock clock;
    private final String provider;
    private final ProducerTemplate producer;
    private final Duration budget;
    private final Duration maximumAge;

    /**
     * {@code provider}: the guarded provider ({@code payments-mock}, {@code payments-stripe}); {@code budget}: how long
     * one request may take, retries included; {@code maximumAge}: how long a pending operation is asked about again
     * (under the provider's 24 hours of idempotency).
     */
    public Payments(Store store, Clock clock, String provider, ProducerTemplate producer, Duration budget, Duration maximumAge) {
        this.store = store;
        this.clock = clock;
        this.provider = provider;
        this.producer = producer;
        this.budget = budget;
        this.maximumAge = maximumAge;
    }

    public String provider() {
        return provider;
    }

    public static String newId() {
        return "pay_" + UUID.randomUUID().toString().replace("-", "");
    }

    /**
     * Runs an operation once. {@code requestKey}: the caller's Idempotency-Key (null: none), unique in {@code scope};
     * {@code admin}: the caller may refund charges of other scopes. Returns the result record or throws the typed
     * failure (also when replaying a refusal).
     */
    public Object execute(PaymentOperation operation, String scope, boolean admin, String requestKey, String requestHash,
                          Object request) {
        long deadline = System.nanoTime() + budget.toNanos();
        if (requestKey != null && request instanceof RefundRequest) {
            // a refund's repeat is answered before its limits are checked again (they count the refund itself)
            Optional<Operation> existing = find(scope, requestKey);
            if (existing.isPresent()) {
                return continueExisting(existing.get(), requestHash, deadline);
            }
        }
        String target = null;
        Long amount = null;
        if (request instanceof RefundRequest refund) {
            Refundable refundable = refundable(refund, scope, admin);
            request = refund.resolved(refundable.providerId());
            target = refundable.target();
            amount = refund.amount() != null ? refund.amount() : refundable.left();
        } else if (request instanceof PaymentRequests.ChargeRequest charge) {
            amount = charge.amount();
        }
        String id = newId();
        String providerKey = "hub-" + id;
        Instant now = clock.instant();
        String stored = JsonResponses.write(request);
        try {
            String finalTarget = target;
            Long finalAmount = amount;
            // group commit: concurrent payments share the store's write
            store.inSharedTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO payment_operations (id, operation, scope, "
                        + "request_key, request_hash, provider, provider_key, request, state, attempts, lease_until, "
                        + "target, amount, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, id);
                    ps.setString(2, operation.stored());
                    ps.setString(3, scope);
                    ps.setString(4, requestKey);
                    ps.setString(5, requestHash);
                    ps.setString(6, provider);
                    ps.setString(7, providerKey);
                    ps.setString(8, stored);
                    ps.setObject(9, store.time(now.plus(lease())));
                    ps.setString(10, finalTarget);
                    ps.setObject(11, finalAmount);
                    ps.setObject(12, store.time(now));
                    ps.setObject(13, store.time(now));
                    return ps.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            if (requestKey != null && Store.isUniqueViolation(e)) {
                // a concurrent request with the same key recorded it first
                return continueExisting(find(scope, requestKey).orElseThrow(() -> e), requestHash, deadline);
            }
            throw e;
        }
        return callAndRecord(id, operation, request, providerKey, 1, deadline, false);
    }

    /** What a repeated key finds: the first outcome, the first request still running, or one to ask about again. */
    private Object continueExisting(Operation found, String requestHash, long deadline) {
        if (!found.requestHash().equals(requestHash)) {
            throw new ApiProblem(422, "Idempotency key reused", "Idempotency-Key was already used with a different request");
        }
        Operation current = found;
        while (current.state().equals("pending")) {
            if (!current.leaseUntil().isAfter(clock.instant())) {
                Optional<Operation> taken = takeOver(current);
                if (taken.isPresent()) {
                    Operation mine = taken.get();
                    return callAndRecord(mine.id(), mine.operation(), readRequest(mine), mine.providerKey(), mine.attempts(),
                            deadline, true);
                }
            } else if (System.nanoTime() > deadline) {
                throw new ApiProblem(409, "Idempotency key busy",
                        "a request with this Idempotency-Key is still in progress; retry after it completes")
                        .retryAfter(Duration.ofSeconds(1));
            } else {
                sleep(25);
            }
            current = find(current.id()).orElseThrow();
        }
        return PaymentOutcomes.replay(current.operation(), current.outcome());
    }

    /** The provider called through its guard, retried with the same key within the budget; the record completed. */
    private Object callAndRecord(String id, PaymentOperation operation, Object request, String providerKey, int attempts,
                                 long deadline, boolean askedBefore) {
        RuntimeException failure;
        int[] calls = {0};
        try {
            Object result = callProvider(operation, request, providerKey, deadline, calls);
            String outcome = PaymentOutcomes.result(result instanceof Charge charge ? charge.withId(id) : result);
            complete(id, "done", outcome, providerId(result));
            return PaymentOutcomes.replay(operation, outcome);
        } catch (RuntimeException e) {
            failure = e;
        }
        if (PaymentOutcomes.isFinal(failure)) {
            String providerId = failure instanceof PaymentDeclinedException declined ? declined.providerId() : null;
            complete(id, "failed", PaymentOutcomes.failure(failure), providerId);
            throw failure;
        }
        boolean providerDidNothing = failure instanceof PaymentCredentialsException
                || failure instanceof ProviderUnavailableException;
        if (providerDidNothing && !askedBefore && attempts == 1 && calls[0] == 1) {
            forget(id);
        } else {
            // the outcome is unknown: asked again by the caller's retry with the key, or by the reconciler
            release(id, attempts, failure);
            if (failure instanceof TransientDeliveryException unknown && !(failure instanceof PaymentPendingException)) {
                throw new PaymentPendingException(provider, id, unknown);
            }
        }
        throw failure;
    }

    /** {@code calls[0]}: how many calls were made, so a failure after an unknown outcome is not taken for "nothing happened". */
    private Object callProvider(PaymentOperation operation, Object request, String providerKey, long deadline, int[] calls) {
        for (int attempt = 0; ; attempt++) {
            calls[0]++;
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            Call call = new Call(operation, request, providerKey, left);
            Exchange answer = producer.send(ProviderGuard.guarded(provider), e -> e.setProperty(CALL, call));
            Exception failure = answer.getException();
            if (failure == null) {
                return answer.getMessage().getBody();
            }
            RuntimeException classified = ObjectHelper.getException(DeliveryException.class, failure);
            if (classified == null) {
                classified = ObjectHelper.getException(InvalidMessageException.class, failure);
            }
            if (classified == null) {
                classified = failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
            }
            if (!(classified instanceof TransientDeliveryException transientFailure)) {
                throw classified;
            }
            long wait = Math.min(2000, 200L << Math.min(attempt, 4));
            if (transientFailure.retryAfter() != null) {
                wait = Math.max(wait, transientFailure.retryAfter().toMillis());
            }
            if (System.nanoTime() + wait * 1_000_000 + 1_000_000_000L > deadline) {
                throw transientFailure;
            }
            LOG.info("{} failed transiently ({}); asking again with the same Idempotency-Key in {} ms",
                    provider, transientFailure.getMessage(), wait);
            sleep(wait);
        }
    }

    /**
     * Asks the provider again about operations left pending whose lease has run out (the hub stopped mid-call, or the
     * budget ran out): with the same key the provider answers with what it did, or does it now. Returns how many
     * were resolved.
     */
    public int reconcile(int limit) {
        Instant now = clock.instant();
        List<Operation> due = store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM payment_operations "
                    + "WHERE state = 'pending' AND lease_until <= ? ORDER BY lease_until LIMIT " + limit)) {
                ps.setObject(1, store.time(now));
                return operations(ps);
            }
        });
        int resolved = 0;
        for (Operation pending : due) {
            if (pending.createdAt().plus(maximumAge).isBefore(now)) {
                LOG.error("Payment operation {} ({}) could not be confirmed with {} within {}; its outcome is unknown: "
                        + "check the provider's dashboard for Idempotency-Key {}", pending.id(), pending.operation().stored(),
                        provider, maximumAge, pending.providerKey());
                complete(pending.id(), "failed", PaymentOutcomes.failure(new io.integrationhub.delivery.PermanentDeliveryException(
                        provider, "the outcome could not be confirmed with the provider in time; check its dashboard")), null);
                continue;
            }
            Optional<Operation> taken = takeOver(pending);
            if (taken.isEmpty()) {
                continue;
            }
            Operation mine = taken.get();
            try {
                callAndRecord(mine.id(), mine.operation(), readRequest(mine), mine.providerKey(), mine.attempts(),
                        System.nanoTime() + budget.toNanos(), true);
                LOG.info("Payment operation {} ({}) was confirmed with {}", mine.id(), mine.operation().stored(), provider);
                resolved++;
            } catch (RuntimeException failure) {
                if (PaymentOutcomes.isFinal(failure)) {
                    resolved++;
                } else {
                    LOG.warn("Payment operation {} ({}) is still unconfirmed: {}", mine.id(), mine.operation().stored(),
                            io.integrationhub.delivery.DeliveryFailures.describe(failure));
                }
            }
        }
        return resolved;
    }

    /**
     * At start of the embedded store's only hub: operations pending when the hub stopped have nobody working on them,
     * so they are due for reconciliation now instead of after their lease. Returns how many.
     */
    public int releaseAllLeases() {
        Instant now = clock.instant();
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE payment_operations SET lease_until = ? "
                    + "WHERE state = 'pending' AND lease_until > ?")) {
                ps.setObject(1, store.time(now));
                ps.setObject(2, store.time(now));
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Deletes finished operations (done or failed) last changed before {@code before}, at most {@code limit}; their
     * requests hold customers' data. Pending ones are never purged. Returns how many.
     */
    public int purgeFinished(Instant before, int limit) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM payment_operations WHERE id IN (SELECT id FROM "
                    + "payment_operations WHERE state IN ('done', 'failed') AND updated_at < ? LIMIT " + limit + ")")) {
                ps.setObject(1, store.time(before));
                return ps.executeUpdate();
            }
        });
    }

    /** A recorded charge, for {@code GET /api/v1/payments/charges/{id}}: only the scope that made it, or an admin. */
    public Optional<Operation> charge(String id, String scope, boolean admin) {
        return find(id).filter(op -> op.operation() == PaymentOperation.CHARGE && (admin || op.scope().equals(scope)));
    }

    public Optional<Operation> find(String id) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM payment_operations WHERE id = ?")) {
                ps.setString(1, id);
                List<Operation> found = operations(ps);
                return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
            }
        });
    }

    private Optional<Operation> find(String scope, String requestKey) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM payment_operations "
                    + "WHERE scope = ? AND request_key = ?")) {
                ps.setString(1, scope);
                ps.setString(2, requestKey);
                List<Operation> found = operations(ps);
                return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
            }
        });
    }

    /** What a refund may take back: the charge's provider id and what is left of it after earlier refunds. */
    private record Refundable(String target, String providerId, Long left) {
    }

    private Refundable refundable(RefundRequest refund, String scope, boolean admin) {
        if (!refund.charge().startsWith("pay_")) {
            return new Refundable(refund.charge(), refund.charge(), null);
        }
        Operation charge = charge(refund.charge(), scope, admin)
                .orElseThrow(() -> new InvalidMessageException("charge", "does not exist"));
        Charge charged = charge.state().equals("done") ? (Charge) PaymentOutcomes.replay(PaymentOperation.CHARGE, charge.outcome()) : null;
        if (charged == null || !charged.status().equals("succeeded")) {
            throw new InvalidMessageException("charge", "has no successful payment to refund");
        }
        long refunded = store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(amount), 0) FROM payment_operations "
                    + "WHERE operation = 'refund' AND target = ? AND state IN ('pending', 'done')")) {
                ps.setString(1, charge.id());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
        long left = charged.amount() - refunded;
        if (left <= 0) {
            throw new InvalidMessageException("charge", "has already been refunded in full");
        }
        if (refund.amount() != null && refund.amount() > left) {
            throw new InvalidMessageException("amount", "is more than the " + left + " left to refund on the charge");
        }
        return new Refundable(charge.id(), charged.providerId(), left);
    }

    private static final String COLUMNS = "id, operation, scope, request_hash, provider_key, request, state, attempts, "
            + "lease_until, outcome, target, amount, created_at";

    private List<Operation> operations(PreparedStatement ps) throws SQLException {
        List<Operation> found = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long amount = rs.getLong(12);
                found.add(new Operation(rs.getString(1), PaymentOperation.ofStored(rs.getString(2)), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8),
                        store.instant(rs, 9), rs.getString(10), rs.getString(11), rs.wasNull() ? null : amount,
                        store.instant(rs, 13)));
            }
        }
        return found;
    }

    private Duration lease() {
        return budget.plusSeconds(30);
    }

    /** Takes a pending operation whose lease ran out; empty when another request or hub took it first. */
    private Optional<Operation> takeOver(Operation pending) {
        Instant now = clock.instant();
        boolean taken = store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE payment_operations SET lease_until = ?, "
                    + "attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'pending' AND lease_until = ?")) {
                ps.setObject(1, store.time(now.plus(lease())));
                ps.setObject(2, store.time(now));
                ps.setString(3, pending.id());
                ps.setObject(4, store.time(pending.leaseUntil()));
                return ps.executeUpdate() == 1;
            }
        });
        return taken ? find(pending.id()) : Optional.empty();
    }

    private void complete(String id, String state, String outcome, String providerId) {
        store.inSharedTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE payment_operations SET state = ?, outcome = ?, "
                    + "provider_id = ?, updated_at = ? WHERE id = ? AND state = 'pending'")) {
                ps.setString(1, state);
                ps.setString(2, outcome);
                ps.setString(3, providerId);
                ps.setObject(4, store.time(clock.instant()));
                ps.setString(5, id);
                return ps.executeUpdate();
            }
        });
    }

    /** Left pending for a later question: due again after a backoff that grows with the attempts. */
    private void release(String id, int attempts, Throwable failure) {
        Duration backoff = Duration.ofSeconds(Math.min(600, 5L << Math.min(attempts - 1, 7)));
        try {
            store.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE payment_operations SET lease_until = ?, "
                        + "updated_at = ? WHERE id = ? AND state = 'pending'")) {
                    Instant now = clock.instant();
                    ps.setObject(1, store.time(now.plus(backoff)));
                    ps.setObject(2, store.time(now));
                    ps.setString(3, id);
                    return ps.executeUpdate();
                }
            });
        } catch (RuntimeException storeAway) {
            LOG.warn("Payment operation {} stays pending until its lease runs out: {}", id, storeAway.toString());
        }
        LOG.warn("Payment operation {}: outcome not confirmed yet ({}); it will be asked again with the same key",
                id, io.integrationhub.delivery.DeliveryFailures.describe(failure));
    }

    /** The provider did nothing (credentials refused, breaker open): no record, the same request may run anew. */
    private void forget(String id) {
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM payment_operations WHERE id = ? AND state = 'pending'")) {
                ps.setString(1, id);
                return ps.executeUpdate();
            }
        });
    }

    private static String providerId(Object result) {
        if (result instanceof Charge charge) {
            return charge.providerId();
        } else if (result instanceof Customer customer) {
            return customer.id();
        } else if (result instanceof CheckoutSession session) {
            return session.id();
        } else if (result instanceof PortalSession session) {
            return session.id();
        } else if (result instanceof Refund refund) {
            return refund.id();
        } else if (result instanceof Subscription subscription) {
            return subscription.id();
        }
        return null;
    }

    private static Object readRequest(Operation operation) {
        try {
            return JSON.readValue(operation.request(), PaymentProvider.requestType(operation.operation()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable stored payment request " + operation.id(), e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
