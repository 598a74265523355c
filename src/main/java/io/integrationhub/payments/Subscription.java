package io.integrationhub.payments;

/**
 * A subscription after a cancellation: {@code canceled} at once, or {@code active} with {@code cancelAtPeriodEnd}
 * until the period it was paid for ends.
 */
public record Subscription(String id, String status, boolean cancelAtPeriodEnd) {
}
