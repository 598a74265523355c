package io.integrationhub.outbox;

import java.time.Instant;
import java.util.Set;

/** One row of the outbox: a message accepted for asynchronous delivery, and where its delivery stands. */
public record OutboxMessage(
        String id,
        String channel,
        String status,
        String payload,
        String provider,
        String providerMessageId,
        int attempts,
        String lastError,
        String createdBy,
        Instant nextAttemptAt,
        Instant createdAt,
        Instant updatedAt,
        Instant sentAt,
        Instant deliveredAt,
        String providerErrorCode) {

    public static final String QUEUED = "queued";
    public static final String SENDING = "sending";
    /** The provider accepted the message. */
    public static final String SENT = "sent";
    /** A receipt from the provider says the message reached its recipient. */
    public static final String DELIVERED = "delivered";
    /** A receipt from the provider says the message could not be delivered (with the provider's error code). */
    public static final String UNDELIVERED = "undelivered";
    /** An attempt failed; the message waits for its next attempt at {@code nextAttemptAt}. */
    public static final String FAILED = "failed";
    /** Retries are exhausted or the provider refused it: kept with the reason, sent again only on request. */
    public static final String DEAD = "dead";

    public static final Set<String> STATUSES = Set.of(QUEUED, SENDING, SENT, DELIVERED, UNDELIVERED, FAILED, DEAD);
}
