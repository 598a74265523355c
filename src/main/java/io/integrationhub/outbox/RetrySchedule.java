package io.integrationhub.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.integrationhub.Settings;

/**
 * When a transiently failed message is tried again: the waits before the 2nd, 3rd, ... attempt (by default the
 * Standard Webhooks schedule, spanning hours, so an outage of a provider does not kill what it delays). A provider's
 * {@code Retry-After} replaces the wait for that attempt, up to a cap. Once the waits are used up, the message is
 * dead.
 */
public record RetrySchedule(List<Duration> waits, Duration maximumRetryAfter) {

    public RetrySchedule {
        waits = List.copyOf(waits);
    }

    /** Reads {@code 5s, 5m, 30m, 2h}; {@code none} means no retries at all. */
    public static RetrySchedule parse(String key, String text, Duration maximumRetryAfter) {
        List<Duration> waits = new ArrayList<>();
        if (text.trim().equalsIgnoreCase("none")) {
            return new RetrySchedule(waits, maximumRetryAfter);
        }
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                waits.add(Settings.parseDuration(key, part));
            }
        }
        return new RetrySchedule(waits, maximumRetryAfter);
    }

    /** Attempts a message gets in all: the first and one per wait. */
    public int maximumAttempts() {
        return waits.size() + 1;
    }

    /**
     * How long to wait before the next attempt, after {@code attemptsMade} attempts (the failed one included);
     * empty when no attempt is left.
     */
    public Optional<Duration> next(int attemptsMade, Duration retryAfter) {
        if (attemptsMade < 1 || attemptsMade > waits.size()) {
            return Optional.empty();
        }
        if (retryAfter != null) {
            return Optional.of(retryAfter.compareTo(maximumRetryAfter) > 0 ? maximumRetryAfter : retryAfter);
        }
        return Optional.of(waits.get(attemptsMade - 1));
    }
}
