package io.integrationhub.outbox;

import java.time.Duration;
import java.util.List;

import io.integrationhub.Settings;
import io.integrationhub.api.Idempotency;
import io.integrationhub.delivery.CircuitBreakers;
import io.integrationhub.delivery.DeliveryException;
import io.integrationhub.delivery.DeliveryFailures;
import io.integrationhub.delivery.DeliveryResult;
import io.integrationhub.delivery.ProviderUnavailableException;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatch of the outbox. A single claimer per hub drains due messages in batches (woken at once when a message is
 * accepted, and by a timer for retries, expired leases and other hubs' work); workers deliver each message through
 * its channel's route {@code direct:outbox-<channel>}. Transient failures are redelivered with exponential backoff
 * (honouring Retry-After); what exhausts its retries or is refused goes to the dead letter channel and becomes
 * {@code dead}. An open circuit breaker postpones the message without spending an attempt.
 */
public class OutboxRoutes extends RouteBuilder {

    /** Send anything here (in-only) to have the outbox claimed now; extra wake-ups while one is pending are dropped. */
    public static final String WAKE = "seda:outbox-wake?size=1&discardWhenFull=true";

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRoutes.class);
    private static final String MESSAGE_ID = "hubMessageId";
    private static final String LEASE = "hubLease";
    private static final String LEASE_HELD = "hubLeaseHeld";

    @Override
    public void configure() {
        Outbox outbox = getContext().getRegistry().lookupByNameAndType("outbox", Outbox.class);
        Idempotency idempotency = getContext().getRegistry().lookupByNameAndType("idempotency", Idempotency.class);
        CircuitBreakers breakers = CircuitBreakers.of(getContext());
        int batchSize = (int) Settings.number(getContext(), "outbox.batch-size", 20);
        long maximumRetryAfter = Settings.number(getContext(), "delivery.maximum-retry-after-ms", 60000);
        int maximumRedeliveries = (int) Settings.number(getContext(), "delivery.maximum-redeliveries", 5);
        var workers = getContext().getExecutorServiceManager().newFixedThreadPool(this, "outbox-worker",
                (int) Settings.number(getContext(), "outbox.workers", 4));

        from("timer:outbox-poll?period={{outbox.poll-interval-ms}}&delay=0").routeId("outbox-poll")
                .to(ExchangePattern.InOnly, WAKE);

        from(WAKE + "&concurrentConsumers=1").routeId("outbox-claim")
                .setProperty("claimed", constant(-1))
                // a stopping hub finishes the batch it holds but claims no more: what it claimed and could not
                // deliver before the shutdown timeout would stay leased to it until the lease runs out
                .loopDoWhile(e -> e.getProperty("claimed", 0, Integer.class) != 0 && !e.getContext().isStopping())
                    .process(e -> {
                        List<Outbox.Claim> claims = outbox.claimDue(batchSize);
                        e.setProperty("claimed", claims.size());
                        e.getMessage().setBody(claims);
                    })
                    // synchronous: the next batch is claimed only when this one is done, so a hub never holds
                    // leases on more than one batch (what it cannot deliver within the lease is claimed again)
                    .split(body()).parallelProcessing().synchronous().executorService(workers)
                        .to("direct:outbox-deliver")
                    .end()
                .end();

        from("direct:outbox-deliver").routeId("outbox-deliver")
                .errorHandler(deadLetterChannel("direct:outbox-dead-letter").useOriginalMessage()
                        .maximumRedeliveries(maximumRedeliveries)
                        .redeliveryDelay(Settings.number(getContext(), "delivery.redelivery-delay-ms", 500))
                        .useExponentialBackOff()
                        .backOffMultiplier(Double.parseDouble(Settings.get(getContext(), "delivery.backoff-multiplier", "2")))
                        .maximumRedeliveryDelay(Settings.number(getContext(), "delivery.maximum-redelivery-delay-ms", 30000))
                        .retryWhile(method(new RetryDecision(outbox, maximumRetryAfter, maximumRedeliveries), "shouldRetry"))
                        .asyncDelayedRedelivery()
                        .logExhausted(false).logRetryAttempted(false))
                .onException(ProviderUnavailableException.class).handled(true).maximumRedeliveries(0)
                    .process(e -> {
                        ProviderUnavailableException unavailable = (ProviderUnavailableException) DeliveryFailures.failure(e);
                        Duration wait = breakers.openWait(unavailable.provider());
                        outbox.postpone(e.getProperty(MESSAGE_ID, String.class), e.getProperty(LEASE, String.class),
                                wait, unavailable.getMessage());
                    })
                .end()
                .process(e -> {
                    Outbox.Claim claim = e.getMessage().getBody(Outbox.Claim.class);
                    e.setProperty(MESSAGE_ID, claim.message().id());
                    e.setProperty(LEASE, claim.lease());
                    e.setProperty("hubChannel", claim.message().channel());
                    // the claim may have waited for a worker longer than its lease: send only while holding it
                    e.setProperty(LEASE_HELD, outbox.holdsLease(claim));
                    e.getMessage().setBody(claim.message().payload());
                })
                .filter(exchangeProperty(LEASE_HELD).isEqualTo(false))
                    .log(LoggingLevel.WARN, LOG, "Message ${exchangeProperty." + MESSAGE_ID + "} not sent by this claim: "
                            + "its lease passed to another claim")
                    .stop()
                .end()
                .toD("direct:outbox-${exchangeProperty.hubChannel}")
                .process(e -> {
                    DeliveryResult result = e.getMessage().getBody(DeliveryResult.class);
                    if (!outbox.markSent(e.getProperty(MESSAGE_ID, String.class), e.getProperty(LEASE, String.class),
                            result.provider(), result.providerMessageId())) {
                        LOG.warn("Message {} was sent but its lease had passed to another claim",
                                e.getProperty(MESSAGE_ID, String.class));
                    }
                });

        from("direct:outbox-dead-letter").routeId("outbox-dead-letter")
                .process(e -> {
                    Outbox.Claim claim = e.getMessage().getBody(Outbox.Claim.class);
                    Throwable cause = DeliveryFailures.failure(e);
                    String provider = cause instanceof DeliveryException d ? d.provider() : null;
                    String reason = DeliveryFailures.describe(cause);
                    if (outbox.markDead(claim.message().id(), claim.lease(), provider, reason)) {
                        LOG.warn("Message {} is dead: {}", claim.message().id(), reason);
                    } else {
                        LOG.warn("Message {} failed ({}) after its lease passed to another claim", claim.message().id(), reason);
                    }
                });

        from("timer:idempotency-expiry?period=3600000&delay=60000").routeId("idempotency-expiry")
                .process(e -> idempotency.deleteExpired());
    }

    /**
     * Bean for {@code retryWhile}: transient failures only, at most {@code delivery.maximum-redeliveries} times,
     * waiting as long as the provider's Retry-After says, and each retry recorded on the message. Camel lets a retryWhile predicate replace
     * maximumRedeliveries entirely, so the limit is enforced here.
     */
    public static final class RetryDecision {
        private final Outbox outbox;
        private final long maximumRetryAfter;
        private final int maximumRedeliveries;

        RetryDecision(Outbox outbox, long maximumRetryAfter, int maximumRedeliveries) {
            this.outbox = outbox;
            this.maximumRetryAfter = maximumRetryAfter;
            this.maximumRedeliveries = maximumRedeliveries;
        }

        public boolean shouldRetry(Exchange exchange) {
            // the redelivery about to be made: 1 for the first retry
            int redelivery = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
            if (maximumRedeliveries >= 0 && redelivery > maximumRedeliveries) {
                return false;
            }
            if (!DeliveryFailures.shouldRetry(exchange, maximumRetryAfter)) {
                return false;
            }
            // a retry is a new send: only while this claim still holds the message. One write counts the attempt,
            // keeps the reason and renews the lease; it fails when the lease has passed to another claim
            return outbox.recordRetry(exchange.getProperty(MESSAGE_ID, String.class),
                    exchange.getProperty(LEASE, String.class), DeliveryFailures.describe(DeliveryFailures.failure(exchange)));
        }
    }

}
