package io.integrationhub.payments;

import io.integrationhub.delivery.TransientDeliveryException;

/**
 * The provider's answer is not known yet (it did not answer within the request's budget): the operation stays
 * pending under {@link #operationId()} and the hub keeps asking the provider with the same Idempotency-Key. Repeating
 * the request with its Idempotency-Key, or reading a charge by its id, gives the outcome once it is known.
 */
public class PaymentPendingException extends TransientDeliveryException {

    private final String operationId;

    public PaymentPendingException(String provider, String operationId, TransientDeliveryException cause) {
        super(provider, "the outcome is not known yet (" + cause.getMessage() + "); it is being confirmed",
                cause.retryAfter(), cause.providerCode(), cause);
        this.operationId = operationId;
    }

    public String operationId() {
        return operationId;
    }
}
