package io.integrationhub.payments;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A refund: {@code charge} as the caller named it, {@code status} as the provider reports it ({@code succeeded}, {@code pending}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Refund(String id, String status, long amount, String currency, String charge) {

    public Refund withCharge(String named) {
        return new Refund(id, status, amount, currency, named);
    }
}
