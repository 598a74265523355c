package io.integrationhub.outbox;

import java.time.Instant;

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
        Instant sentAt) {

    public static final String QUEUED = "queued";
    public static final String SENDING = "sending";
    public static final String SENT = "sent";
    /** An attempt failed; the message waits for its next attempt at {@code nextAttemptAt}. */
    public static final String FAILED = "failed";
    /** Retries are exhausted or the provider refused it: kept with the reason, sent again only on request. */
    public static final String DEAD = "dead";
}
