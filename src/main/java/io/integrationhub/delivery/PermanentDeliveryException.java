package io.integrationhub.delivery;

/** The provider refused the message (bad address, bad credentials, 4xx): trying again cannot help. */
public class PermanentDeliveryException extends DeliveryException {

    public PermanentDeliveryException(String provider, String message) {
        super(provider, message, null);
    }

    public PermanentDeliveryException(String provider, String message, String providerCode) {
        super(provider, message, providerCode, null);
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
