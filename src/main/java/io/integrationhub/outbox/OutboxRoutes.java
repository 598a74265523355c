package io.integrationhub.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Semaphore;

import io.integrationhub.Settings;
import io.integrationhub.api.Idempotency;
import io.integrationhub.delivery.CircuitBreakers;
import io.integrationhub.delivery.DeliveryException;
import io.integrationhub.delivery.DeliveryFailures;
import io.integrationhub.delivery.DeliveryResult;
import io.integrationhub.delivery.ProviderUnavailableException;
import io.integrationhub.delivery.TransientDeliveryException;
import io.integrationhub.store.StoreException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatch of the outbox, per channel. A claimer ({@code outbox-claim-<channel>}) takes due messages only as fast as
 * the channel's workers free up (at most a batch waiting for them), so a hub never holds a lease on a message it
 * cannot start soon; it is woken ({@link WakeUps}) when a message is accepted or a worker frees, and by a timer for
 * retries, expired leases and other hubs' work.
 * Workers ({@code outbox-deliver-<channel>}) hand each message to {@code direct:outbox-<channel>}. Retries live in
 * the outbox: a transient failure writes the message back with its next attempt time (the channel's
 * {@link RetrySchedule}, or the provider's Retry-After) and frees the worker; a refusal, or a failure with no
 * attempt left, makes it {@code dead} with the reason. An open circuit breaker postpones the message without
 * spending an attempt.
 */
public class OutboxRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRoutes.class);
    private static final String CLAIM = "hubClaim";
    private static final String LEASE_HELD = "hubLeaseHeld";
    /** The outbox id of the message being delivered (providers pass it on as their idempotency key). */
    public static final String MESSAGE_ID = "hubMessageId";

    /** Send anything here (in-only) to have the channel's outbox claimed now; extra wake-ups are dropped. */
    public static String wake(String channel) {
        return "seda:outbox-wake-" + channel + "?size=1&discardWhenFull=true";
    }

    /** The channels the outbox carries, by name. */
    public static List<OutboxChannel> channels(CamelContext context) {
        return context.getRegistry().findByType(OutboxChannel.class).stream()
                .sorted(Comparator.comparing(OutboxChannel::name)).toList();
    }

    @Override
    public void configure() {
        Outbox outbox = getContext().getRegistry().lookupByNameAndType("outbox", Outbox.class);
        Idempotency idempotency = getContext().getRegistry().lookupByNameAndType("idempotency", Idempotency.class);
        List<OutboxChannel> channels = channels(getContext());

        from("timer:outbox-poll?period={{outbox.poll-interval-ms}}&delay=0").routeId("outbox-poll")
                .setExchangePattern(ExchangePattern.InOnly)
                .multicast().to(channels.stream().map(c -> wake(c.name())).toArray(String[]::new)).end();

        UnrecordedOutcomes outcomes = new UnrecordedOutcomes();
        getContext().getRegistry().bind("hubUnrecordedOutcomes", UnrecordedOutcomes.class, outcomes);
        for (OutboxChannel channel : channels) {
            dispatch(outbox, outcomes, channel.name());
        }
        // outcomes the store could not take when they happened, written as soon as it answers again, and tried a
        // last time when the hub stops (after its routes, before the store closes)
        from("timer:outbox-outcomes?period={{outbox.poll-interval-ms}}").routeId("outbox-outcomes")
                .process(e -> outcomes.retry());
        try {
            getContext().addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    outcomes.retry();
                    if (outcomes.size() > 0) {
                        LOG.warn("{} delivery outcomes could not be recorded before the hub stopped: those messages "
                                + "are sent again after their lease, marked as possible duplicates", outcomes.size());
                    }
                }
            }, true, true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }

        from("timer:idempotency-expiry?period=3600000&delay=60000").routeId("idempotency-expiry")
                .process(e -> idempotency.deleteExpired());

        // finished messages are kept hub.retention-days, then purged in chunks (one short transaction each)
        Duration retention = Duration.ofDays(Settings.number(getContext(), "hub.retention-days"));
        long retentionCheck = Settings.number(getContext(), "hub.retention-check-ms");
        from("timer:outbox-retention?period=" + retentionCheck + "&delay=" + Math.min(30_000, retentionCheck))
                .routeId("outbox-retention")
                .process(e -> {
                    java.time.Instant before = java.time.Instant.now().minus(retention);
                    int purged = 0;
                    for (int chunk = outbox.purgeFinished(before, 1000); chunk > 0; chunk = outbox.purgeFinished(before, 1000)) {
                        purged += chunk;
                    }
                    // what else the hub keeps of people's data: received webhook events, the records of sync runs
                    int events = 0;
                    io.integrationhub.webhooks.WebhookEvents webhookEvents = getContext().getRegistry().lookupByNameAndType(
                            io.integrationhub.webhooks.WebhookEvents.BEAN, io.integrationhub.webhooks.WebhookEvents.class);
                    if (webhookEvents != null) {
                        for (int chunk = webhookEvents.purgeHandled(before, 1000); chunk > 0;
                                chunk = webhookEvents.purgeHandled(before, 1000)) {
                            events += chunk;
                        }
                    }
                    io.integrationhub.sync.SyncRuns syncRuns = getContext().getRegistry().lookupByNameAndType(
                            io.integrationhub.sync.SyncRuns.BEAN, io.integrationhub.sync.SyncRuns.class);
                    int runs = syncRuns == null ? 0 : syncRuns.purgeFinished(before);
                    int payments = 0;
                    io.integrationhub.payments.Payments paymentRecords = getContext().getRegistry().lookupByNameAndType(
                            io.integrationhub.payments.Payments.BEAN, io.integrationhub.payments.Payments.class);
                    if (paymentRecords != null) {
                        for (int chunk = paymentRecords.purgeFinished(before, 1000); chunk > 0;
                                chunk = paymentRecords.purgeFinished(before, 1000)) {
                            payments += chunk;
                        }
                    }
                    if (purged + events + runs + payments > 0) {
                        LOG.info("Purged {} finished message(s), {} webhook event(s), {} sync run record(s) and {} "
                                + "payment record(s) older than {} days", purged, events, runs, payments, retention.toDays());
                        outbox.reclaimFreeSpace();
                    }
                });
    }

    private void dispatch(Outbox outbox, UnrecordedOutcomes outcomes, String channel) {
        int workers = (int) Settings.number(getContext(), "outbox.workers");
        int batchSize = (int) Settings.number(getContext(), "outbox.batch-size");
        String scheduleKey = channel + ".retry-schedule";
        RetrySchedule schedule = RetrySchedule.parse(scheduleKey,
                Settings.first(getContext(), scheduleKey, "delivery.retry-schedule"),
                Duration.ofMillis(Settings.number(getContext(), "delivery.maximum-retry-after-ms")));
        CircuitBreakers breakers = CircuitBreakers.of(getContext());
        // a hub holds at most this many claims of the channel: one per worker and a batch waiting for them, so a claim
        // takes several messages at once under load, and no message is leased long before it can start
        int capacity = workers + batchSize;
        int claimAtLeast = Math.min(batchSize, workers);
        Semaphore free = new Semaphore(capacity);
        String workQueue = "seda:outbox-deliver-" + channel;

        WakeUps wakeUps = WakeUps.of(getContext());
        // woken only with room for a claim: the worker whose end makes the room wakes it
        java.util.function.BooleanSupplier room = () -> free.availablePermits() >= claimAtLeast;
        wakeUps.room(channel, room);
        // a worker's exchange, done whichever way (sent, failed, not started): its place is free for the next claim
        Synchronization workerFree = new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange exchange) {
                free.release();
                wakeUps.wake(channel);
            }
        };

        from(wake(channel) + "&concurrentConsumers=1").routeId("outbox-claim-" + channel)
                .process(e -> wakeUps.taken(channel))
                // the workers get copies of this exchange, which is a copy of whatever woke the claimer (often a
                // finished worker's exchange): without this they would share its properties by reference, Camel's
                // error-handler state among them, and two workers failing at once would take each other for a
                // circular error, leaving their messages leased and unhandled until the lease ran out
                .removeProperties("*")
                .setProperty("more", constant(true))
                // a stopping hub claims no more: what it could not start before the shutdown timeout would stay
                // leased to it until the lease runs out
                .loopDoWhile(e -> e.getProperty("more", Boolean.class) && !e.getContext().isStopping())
                    .process(e -> {
                        int drained = free.drainPermits();
                        // while work is in flight, wait for enough room to claim a batch: one claim per message
                        // would double the store's commits; an idle channel claims at once
                        int slots = drained >= claimAtLeast || drained == capacity ? Math.min(batchSize, drained) : 0;
                        free.release(drained - slots);
                        List<Outbox.Claim> claims = List.of();
                        String token = Outbox.newClaimToken();
                        try {
                            claims = slots == 0 ? List.of() : outbox.claimDue(channel, slots, token);
                        } catch (StoreException away) {
                            // the store monitor has logged the outage; claimed again on the next wake-up. The claim
                            // may have committed all the same (the database went away during its COMMIT): its
                            // messages are given back as soon as the store answers
                            LOG.debug("Channel {} not claimed: {}", channel, away.getMessage());
                            outcomes.releaseWhenBack(token, () -> outbox.releaseClaim(token));
                        } finally {
                            free.release(slots - claims.size());
                        }
                        // more when the claim was full; or, with no room at the look, when room freed meanwhile:
                        // its wake-up may have been dropped while this look held the places it gave back
                        e.setProperty("more", slots > 0 ? claims.size() == slots : room.getAsBoolean());
                        e.getMessage().setBody(claims);
                    })
                    .split(body())
                        .to(ExchangePattern.InOnly, workQueue)
                    .end()
                .end();

        from(workQueue + "?concurrentConsumers=" + workers).routeId("outbox-deliver-" + channel)
                .onException(ProviderUnavailableException.class).handled(true)
                    .process(e -> {
                        ProviderUnavailableException unavailable = (ProviderUnavailableException) DeliveryFailures.failure(e);
                        Outbox.Claim claim = e.getProperty(CLAIM, Outbox.Claim.class);
                        outcomes.record(claim, "was postponed", () -> outbox.postpone(claim.message().id(),
                                claim.lease(), breakers.openWait(unavailable.provider()), unavailable.getMessage()));
                    })
                .end()
                .onException(Exception.class).handled(true)
                    .process(e -> failed(outbox, outcomes, schedule, e))
                .end()
                .process(e -> {
                    e.getExchangeExtension().addOnCompletion(workerFree);
                    Outbox.Claim claim = e.getMessage().getBody(Outbox.Claim.class);
                    e.setProperty(CLAIM, claim);
                    e.setProperty(MESSAGE_ID, claim.message().id());
                    if (e.getContext().isStopping()) {
                        // not started: given back untried, for the next hub (or this one after its restart)
                        outcomes.record(claim, "was given back untried",
                                () -> outbox.release(claim.message().id(), claim.lease()));
                        e.setProperty(LEASE_HELD, false);
                        return;
                    }
                    // send only while holding the lease: renewed once less than half remains, refused when it passed to
                    // another claim (the throttle's wait inside the guard is covered by the rule on outbox.lease-seconds)
                    boolean held;
                    try {
                        if (!outbox.storeAvailable()) {
                            // a send now could not be recorded: a crash before the store returns would send it again
                            throw new StoreException("not sent while the store is away");
                        }
                        held = outbox.holdsLease(claim);
                    } catch (StoreException away) {
                        // the lease could not be renewed: not sent, given back untried when the store returns
                        outcomes.record(claim, "was given back untried",
                                () -> outbox.release(claim.message().id(), claim.lease()));
                        held = false;
                    }
                    e.setProperty(LEASE_HELD, held);
                    e.getMessage().setBody(claim.message().payload());
                })
                .filter(exchangeProperty(LEASE_HELD).isEqualTo(false))
                    .log(LoggingLevel.DEBUG, LOG, "Message ${exchangeProperty." + MESSAGE_ID + "} not sent by this claim")
                    .stop()
                .end()
                .to("direct:outbox-" + channel)
                .process(e -> {
                    Outbox.Claim claim = e.getProperty(CLAIM, Outbox.Claim.class);
                    DeliveryResult result = e.getMessage().getBody(DeliveryResult.class);
                    // the provider has it: if the store is away now, the outcome is kept and recorded when it returns,
                    // never sent again for want of a record
                    Instant sentAt = outbox.now();
                    if (Boolean.FALSE.equals(outcomes.record(claim, "was sent", () -> outbox.markSent(claim.message().id(),
                            claim.lease(), result.provider(), result.providerMessageId(), result.warning(), sentAt)))) {
                        LOG.warn("Message {} was sent but its lease had passed to another claim", claim.message().id());
                    }
                });
    }

    /** A failed attempt: retried later when transient and attempts remain, else dead with the reason. */
    private static void failed(Outbox outbox, UnrecordedOutcomes outcomes, RetrySchedule schedule, Exchange e) {
        Outbox.Claim claim = e.getProperty(CLAIM, Outbox.Claim.class);
        Throwable cause = DeliveryFailures.failure(e);
        String provider = cause instanceof DeliveryException d ? d.provider() : null;
        String code = cause instanceof DeliveryException d ? d.providerCode() : null;
        String reason = DeliveryFailures.describe(cause);
        String id = claim.message().id();
        int attempts = claim.message().attempts();
        if (DeliveryFailures.isTransient(cause)) {
            Duration retryAfter = cause instanceof TransientDeliveryException t ? t.retryAfter() : null;
            var wait = schedule.next(attempts, retryAfter);
            if (wait.isPresent()) {
                String why = reason;
                if (Boolean.TRUE.equals(outcomes.record(claim, "failed (" + reason + ")",
                        () -> outbox.scheduleRetry(id, claim.lease(), wait.get(), provider, why, code)))) {
                    LOG.info("Message {} attempt {} failed ({}); next attempt in {} ms", id, attempts, reason,
                            wait.get().toMillis());
                }
                return;
            }
            reason = "gave up after " + attempts + " attempts: " + reason;
        }
        String why = reason;
        Boolean dead = outcomes.record(claim, "is dead (" + reason + ")",
                () -> outbox.markDead(id, claim.lease(), provider, why, code));
        if (Boolean.TRUE.equals(dead)) {
            LOG.warn("Message {} is dead: {}", id, reason);
        } else if (Boolean.FALSE.equals(dead)) {
            LOG.warn("Message {} failed ({}) after its lease passed to another claim", id, reason);
        }
    }
}
