package io.integrationhub.payments;

import io.integrationhub.delivery.PermanentDeliveryException;

/** An object the request names (in its path) does not exist at the provider: a 404. */
public class PaymentNotFoundException extends PermanentDeliveryException {

    public PaymentNotFoundException(String provider, String what) {
        super(provider, what + " does not exist", "resource_missing");
    }
}
