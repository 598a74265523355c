package io.integrationhub.payments;

import java.time.Duration;

import io.integrationhub.payments.PaymentRequests.CancelSubscriptionRequest;
import io.integrationhub.payments.PaymentRequests.ChargeRequest;
import io.integrationhub.payments.PaymentRequests.CheckoutSessionRequest;
import io.integrationhub.payments.PaymentRequests.CustomerRequest;
import io.integrationhub.payments.PaymentRequests.PortalSessionRequest;
import io.integrationhub.payments.PaymentRequests.RefundRequest;

/**
 * A payment provider: each call carries the Idempotency-Key the provider keeps the answer under, so the same call
 * again gives the first answer instead of acting twice. Failures are typed: {@link PaymentDeclinedException},
 * {@link io.integrationhub.delivery.InvalidMessageException} naming the field, {@link PaymentConflictException},
 * {@link PaymentNotFoundException}, {@link PaymentCredentialsException}, or
 * {@link io.integrationhub.delivery.TransientDeliveryException} when the outcome is not known and the same call may
 * be made again.
 */
public interface PaymentProvider {

    Charge charge(ChargeRequest request, String idempotencyKey, Duration timeout);

    Customer createCustomer(CustomerRequest request, String idempotencyKey, Duration timeout);

    CheckoutSession createCheckoutSession(CheckoutSessionRequest request, String idempotencyKey, Duration timeout);

    PortalSession createPortalSession(PortalSessionRequest request, String idempotencyKey, Duration timeout);

    /** {@code request.paymentIntent()} is the provider's id of what is refunded. */
    Refund refund(RefundRequest request, String idempotencyKey, Duration timeout);

    Subscription cancelSubscription(CancelSubscriptionRequest request, String idempotencyKey, Duration timeout);

    /** One operation, by its name. */
    default Object call(PaymentOperation operation, Object request, String idempotencyKey, Duration timeout) {
        return switch (operation) {
            case CHARGE -> charge((ChargeRequest) request, idempotencyKey, timeout);
            case CREATE_CUSTOMER -> createCustomer((CustomerRequest) request, idempotencyKey, timeout);
            case CREATE_CHECKOUT_SESSION -> createCheckoutSession((CheckoutSessionRequest) request, idempotencyKey, timeout);
            case CREATE_PORTAL_SESSION -> createPortalSession((PortalSessionRequest) request, idempotencyKey, timeout);
            case REFUND -> refund((RefundRequest) request, idempotencyKey, timeout);
            case CANCEL_SUBSCRIPTION -> cancelSubscription((CancelSubscriptionRequest) request, idempotencyKey, timeout);
        };
    }

    /** The request type of an operation, to read a stored request back. */
    static Class<?> requestType(PaymentOperation operation) {
        return switch (operation) {
            case CHARGE -> ChargeRequest.class;
            case CREATE_CUSTOMER -> CustomerRequest.class;
            case CREATE_CHECKOUT_SESSION -> CheckoutSessionRequest.class;
            case CREATE_PORTAL_SESSION -> PortalSessionRequest.class;
            case REFUND -> RefundRequest.class;
            case CANCEL_SUBSCRIPTION -> CancelSubscriptionRequest.class;
        };
    }
}
