package io.integrationhub.payments;

import io.integrationhub.delivery.PermanentDeliveryException;

/**
 * The card was declined, as the provider reports it: {@code code} ({@code card_declined}, {@code expired_card},
 * {@code incorrect_cvc}, {@code processing_error}) and the issuer's {@code declineCode} ({@code insufficient_funds},
 * {@code generic_decline}, ...). Not the provider's fault: it does not count against its circuit breaker.
 */
public class PaymentDeclinedException extends PermanentDeliveryException {

    private final String code;
    private final String declineCode;
    private final String providerId;

    public PaymentDeclinedException(String provider, String code, String declineCode, String providerId) {
        super(provider, "the card was declined (" + code + (declineCode == null ? "" : ", " + declineCode) + ")", code);
        this.code = code;
        this.declineCode = declineCode;
        this.providerId = providerId;
    }

    public String code() {
        return code;
    }

    public String declineCode() {
        return declineCode;
    }

    /** The provider's payment intent that was declined, when it made one. */
    public String providerId() {
        return providerId;
    }
}
