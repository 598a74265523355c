package io.integrationhub.delivery;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a provider answered when it accepted a message; {@code warning} says what it did not take (recipients an
 * SMTP server refused while it took the others), or is null.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeliveryResult(String provider, String providerMessageId, String warning) {

    public DeliveryResult(String provider, String providerMessageId) {
        this(provider, providerMessageId, null);
    }
}
