package io.integrationhub.payments;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A customer of the payment provider: {@code id} is the provider's ({@code cus_...}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Customer(String id, String email, String name) {
}
