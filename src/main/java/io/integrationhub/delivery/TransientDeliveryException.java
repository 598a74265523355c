package io.integrationhub.delivery;

import java.time.Duration;

/** A failure that may pass: retried with backoff, honouring the provider's {@code Retry-After} when it sent one. */
public class TransientDeliveryException extends DeliveryException {

    private final Duration retryAfter;

    public TransientDeliveryException(String provider, String message, Duration retryAfter, Throwable cause) {
        this(provider, message, retryAfter, null, cause);
    }

    public TransientDeliveryException(String provider, String message, Duration retryAfter, String providerCode,
                                      Throwable cause) {
        super(provider, message, providerCode, cause);
        this.retryAfter = retryAfter;
    }

    /** How long the provider asked us to wait, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
