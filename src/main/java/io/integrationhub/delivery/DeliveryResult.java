package io.integrationhub.delivery;

/** What a provider answered when it accepted a message. */
public record DeliveryResult(String provider, String providerMessageId) {
}
