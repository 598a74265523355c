package io.integrationhub.delivery;

/**
 * A provider did not deliver. Subclasses say whether trying again can help: {@link TransientDeliveryException}
 * (connection errors, timeouts, 5xx, 429) or {@link PermanentDeliveryException} (the provider refused the message).
 * Messages never carry credentials: they name the provider, the status and the provider's own reason.
 */
public abstract class DeliveryException extends RuntimeException {

    private final String provider;
    private final String providerCode;

    protected DeliveryException(String provider, String message, Throwable cause) {
        this(provider, message, null, cause);
    }

    protected DeliveryException(String provider, String message, String providerCode, Throwable cause) {
        super(provider + ": " + message, cause);
        this.provider = provider;
        this.providerCode = providerCode;
    }

    /** The provider's own error code (Twilio's 21211), or null. */
    public String providerCode() {
        return providerCode;
    }

    public String provider() {
        return provider;
    }

    public abstract boolean isRetryable();
}
