package io.integrationhub.payments;

import io.integrationhub.delivery.PermanentDeliveryException;

/**
 * The provider refused the hub's credentials (401) or their permissions (403). Nothing happened at the provider;
 * the breaker does not count it (the provider is up) and the message never carries the key.
 */
public class PaymentCredentialsException extends PermanentDeliveryException {

    public PaymentCredentialsException(String provider) {
        super(provider, "the payment provider refused the hub's credentials", "authentication");
    }
}
