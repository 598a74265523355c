package io.integrationhub.payments;

/** A hosted checkout page: send the customer to {@code url}. */
public record CheckoutSession(String id, String url) {
}
