package io.integrationhub.payments;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.CardException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.PermissionException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.StripeException;
import com.stripe.model.PaymentIntent;
import com.stripe.net.RequestOptions;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.SubscriptionCancelParams;
import com.stripe.param.SubscriptionUpdateParams;
import io.integrationhub.delivery.InvalidMessageException;
import io.integrationhub.delivery.PermanentDeliveryException;
import io.integrationhub.delivery.TransientDeliveryException;
import io.integrationhub.payments.PaymentRequests.CancelSubscriptionRequest;
import io.integrationhub.payments.PaymentRequests.ChargeRequest;
import io.integrationhub.payments.PaymentRequests.CheckoutSessionRequest;
import io.integrationhub.payments.PaymentRequests.CustomerRequest;
import io.integrationhub.payments.PaymentRequests.PortalSessionRequest;
import io.integrationhub.payments.PaymentRequests.RefundRequest;

/**
 * Stripe through the official stripe-java SDK ({@code PAYMENT_PROVIDER=stripe}), on the API version the SDK pins
 * ({@link com.stripe.Stripe#API_VERSION}). Every call carries the hub's Idempotency-Key; the SDK's own retries are
 * off (the hub retries, with the same key, through the breaker). Stripe's exceptions never leave this class: they
 * become the hub's typed failures, without Stripe's messages.
 */
public final class StripePayments implements PaymentProvider {

    public static final String PROVIDER = "payments-stripe";

    private final StripeClient stripe;
    private final int readTimeoutMs;

    public StripePayments(String secretKey, String apiBase, int connectTimeoutMs, int readTimeoutMs) {
        this.readTimeoutMs = readTimeoutMs;
        this.stripe = StripeClient.builder().setApiKey(secretKey).setApiBase(apiBase)
                .setConnectTimeout(connectTimeoutMs).setReadTimeout(readTimeoutMs).setMaxNetworkRetries(0).build();
    }

    public static String apiVersion() {
        return com.stripe.Stripe.API_VERSION;
    }

    @Override
    public Charge charge(ChargeRequest request, String idempotencyKey, Duration timeout) {
        PaymentIntentCreateParams.Builder params = PaymentIntentCreateParams.builder()
                .setAmount(request.amount())
                .setCurrency(request.currency())
                .setPaymentMethod(request.paymentMethod())
                .setConfirm(true)
                // a server-side charge has no page to come back to: methods that redirect are not offered
                .setAutomaticPaymentMethods(PaymentIntentCreateParams.AutomaticPaymentMethods.builder().setEnabled(true)
                        .setAllowRedirects(PaymentIntentCreateParams.AutomaticPaymentMethods.AllowRedirects.NEVER).build());
        if (request.customer() != null) {
            params.setCustomer(request.customer());
        }
        if (request.description() != null) {
            params.setDescription(request.description());
        }
        if (request.metadata() != null) {
            params.putAllMetadata(request.metadata());
        }
        if (!request.capture()) {
            params.setCaptureMethod(PaymentIntentCreateParams.CaptureMethod.MANUAL);
        }
        PaymentIntent intent = call(() -> stripe.v1().paymentIntents().create(params.build(), options(idempotencyKey, timeout)));
        Map<String, Object> nextAction = null;
        if (intent.getNextAction() != null) {
            nextAction = new LinkedHashMap<>();
            nextAction.put("type", intent.getNextAction().getType());
            if (intent.getNextAction().getRedirectToUrl() != null) {
                nextAction.put("redirectUrl", intent.getNextAction().getRedirectToUrl().getUrl());
            }
        }
        return new Charge(null, intent.getStatus(), intent.getAmount(), intent.getCurrency(), intent.getId(),
                intent.getCustomer(), nextAction);
    }

    @Override
    public Customer createCustomer(CustomerRequest request, String idempotencyKey, Duration timeout) {
        com.stripe.param.CustomerCreateParams.Builder params = com.stripe.param.CustomerCreateParams.builder()
                .setEmail(request.email());
        if (request.name() != null) {
            params.setName(request.name());
        }
        if (request.metadata() != null) {
            params.putAllMetadata(request.metadata());
        }
        com.stripe.model.Customer customer = call(() -> stripe.v1().customers().create(params.build(),
                options(idempotencyKey, timeout)));
        return new Customer(customer.getId(), customer.getEmail(), customer.getName());
    }

    @Override
    public CheckoutSession createCheckoutSession(CheckoutSessionRequest request, String idempotencyKey, Duration timeout) {
        com.stripe.param.checkout.SessionCreateParams.Builder params = com.stripe.param.checkout.SessionCreateParams.builder()
                .setMode(request.mode().equals("subscription") ? com.stripe.param.checkout.SessionCreateParams.Mode.SUBSCRIPTION
                        : com.stripe.param.checkout.SessionCreateParams.Mode.PAYMENT)
                .setSuccessUrl(request.successUrl())
                .setCancelUrl(request.cancelUrl());
        if (request.customer() != null) {
            params.setCustomer(request.customer());
        }
        for (PaymentRequests.LineItem item : request.lineItems()) {
            com.stripe.param.checkout.SessionCreateParams.LineItem.Builder line =
                    com.stripe.param.checkout.SessionCreateParams.LineItem.builder().setQuantity(item.quantity());
            if (item.price() != null) {
                line.setPrice(item.price());
            } else {
                line.setPriceData(com.stripe.param.checkout.SessionCreateParams.LineItem.PriceData.builder()
                        .setCurrency(item.currency())
                        .setUnitAmount(item.amount())
                        .setProductData(com.stripe.param.checkout.SessionCreateParams.LineItem.PriceData.ProductData
                                .builder().setName(item.name()).build())
                        .build());
            }
            params.addLineItem(line.build());
        }
        com.stripe.model.checkout.Session session = call(() -> stripe.v1().checkout().sessions().create(params.build(),
                options(idempotencyKey, timeout)));
        return new CheckoutSession(session.getId(), session.getUrl());
    }

    @Override
    public PortalSession createPortalSession(PortalSessionRequest request, String idempotencyKey, Duration timeout) {
        com.stripe.param.billingportal.SessionCreateParams params = com.stripe.param.billingportal.SessionCreateParams
                .builder().setCustomer(request.customer()).setReturnUrl(request.returnUrl()).build();
        com.stripe.model.billingportal.Session session = call(() -> stripe.v1().billingPortal().sessions().create(params,
                options(idempotencyKey, timeout)));
        return new PortalSession(session.getId(), session.getUrl());
    }

    @Override
    public Refund refund(RefundRequest request, String idempotencyKey, Duration timeout) {
        RefundCreateParams.Builder params = RefundCreateParams.builder();
        if (request.paymentIntent().startsWith("ch_")) {
            params.setCharge(request.paymentIntent());
        } else {
            params.setPaymentIntent(request.paymentIntent());
        }
        if (request.amount() != null) {
            params.setAmount(request.amount());
        }
        if (request.reason() != null) {
            params.setReason(RefundCreateParams.Reason.valueOf(request.reason().toUpperCase(Locale.ROOT)));
        }
        com.stripe.model.Refund refund = call(() -> stripe.v1().refunds().create(params.build(), options(idempotencyKey, timeout)));
        return new Refund(refund.getId(), refund.getStatus(), refund.getAmount(), refund.getCurrency(), request.charge());
    }

    @Override
    public Subscription cancelSubscription(CancelSubscriptionRequest request, String idempotencyKey, Duration timeout) {
        RequestOptions options = options(idempotencyKey, timeout);
        com.stripe.model.Subscription subscription = call(() -> request.atPeriodEnd()
                ? stripe.v1().subscriptions().update(request.subscription(),
                        SubscriptionUpdateParams.builder().setCancelAtPeriodEnd(true).build(), options)
                : stripe.v1().subscriptions().cancel(request.subscription(), SubscriptionCancelParams.builder().build(), options));
        return new Subscription(subscription.getId(), subscription.getStatus(),
                Boolean.TRUE.equals(subscription.getCancelAtPeriodEnd()));
    }

    /** The call's key, and its read timeout: the configured one, or what is left of the request's budget if less. */
    private RequestOptions options(String idempotencyKey, Duration timeout) {
        return RequestOptions.builder().setIdempotencyKey(idempotencyKey)
                .setReadTimeout((int) Math.max(500, Math.min(readTimeoutMs, timeout.toMillis())))
                .setMaxNetworkRetries(0).build();
    }

    @FunctionalInterface
    private interface StripeCall<T> {
        T call() throws StripeException;
    }

    private static <T> T call(StripeCall<T> call) {
        try {
            return call.call();
        } catch (StripeException e) {
            throw failure(e);
        }
    }

    /** Stripe's exception as the hub's typed failure; Stripe's own message is never passed on. */
    static RuntimeException failure(StripeException e) {
        int status = e.getStatusCode() == null ? 0 : e.getStatusCode();
        String code = e.getCode();
        if (e instanceof CardException card) {
            String intent = card.getStripeError() != null && card.getStripeError().getPaymentIntent() != null
                    ? card.getStripeError().getPaymentIntent().getId() : null;
            return new PaymentDeclinedException(PROVIDER, code == null ? "card_declined" : code, card.getDeclineCode(), intent);
        }
        if (e instanceof AuthenticationException || e instanceof PermissionException) {
            return new PaymentCredentialsException(PROVIDER);
        }
        if (e instanceof IdempotencyException) {
            return new PaymentConflictException(PROVIDER, "the provider's Idempotency-Key was already used with other "
                    + "parameters");
        }
        if (e instanceof RateLimitException) {
            return new TransientDeliveryException(PROVIDER, "rate limited by the provider (HTTP 429)", null, "rate_limit", null);
        }
        if (e instanceof ApiConnectionException) {
            return new TransientDeliveryException(PROVIDER, "no answer from the provider (connection failed or timed out)",
                    null, "connection", null);
        }
        if (status == 409 || status >= 500) {
            return new TransientDeliveryException(PROVIDER, "the provider failed (HTTP " + status + ")", null, code, null);
        }
        if (e instanceof InvalidRequestException invalid) {
            String param = invalid.getParam();
            if ("resource_missing".equals(code) && (param == null || param.isEmpty())) {
                return new PaymentNotFoundException(PROVIDER, "the object the request names");
            }
            String field = param == null || param.isEmpty() ? "body" : fieldName(param);
            String reason = "resource_missing".equals(code) ? "does not exist at the provider"
                    : "was refused by the provider (" + (code == null ? "invalid_request_error" : code) + ")";
            return new InvalidMessageException(field, reason);
        }
        return new PermanentDeliveryException(PROVIDER, "the provider refused the request (HTTP " + status
                + (code == null ? "" : ", " + code) + ")", code);
    }

    /** Stripe's parameter name as the hub's field: {@code line_items[0][price]} is {@code lineItems[0].price}. */
    static String fieldName(String param) {
        StringBuilder field = new StringBuilder();
        for (String part : param.replace("]", "").split("\\[")) {
            if (part.matches("\\d+")) {
                field.append('[').append(part).append(']');
                continue;
            }
            if (!field.isEmpty()) {
                field.append('.');
            }
            String[] words = part.split("_");
            field.append(words[0]);
            for (int i = 1; i < words.length; i++) {
                field.append(words[i].isEmpty() ? "" : Character.toUpperCase(words[i].charAt(0)) + words[i].substring(1));
            }
        }
        return field.toString().replace("priceData.unitAmount", "amount").replace("paymentIntent", "charge");
    }
}
