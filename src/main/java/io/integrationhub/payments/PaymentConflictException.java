package io.integrationhub.payments;

import io.integrationhub.delivery.PermanentDeliveryException;

/** The provider refused the request as a conflict: its Idempotency-Key was used for other parameters (409). */
public class PaymentConflictException extends PermanentDeliveryException {

    public PaymentConflictException(String provider, String message) {
        super(provider, message, "idempotency_error");
    }
}
