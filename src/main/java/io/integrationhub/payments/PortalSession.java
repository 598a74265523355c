package io.integrationhub.payments;

/** A hosted page where a customer manages their subscriptions and payment methods: send them to {@code url}. */
public record PortalSession(String id, String url) {
}
