package io.integrationhub.delivery;

/**
 * The provider's circuit breaker is open and no fallback could take the message. Nothing was sent; the outbox
 * keeps the message and tries again once the breaker lets calls through, without spending an attempt.
 */
public class ProviderUnavailableException extends DeliveryException {

    public ProviderUnavailableException(String provider, Throwable cause) {
        super(provider, "circuit breaker open, provider not called", cause);
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
