package io.integrationhub.payments;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A charge as the hub answers it: {@code id} is the hub's ({@code pay_...}), {@code providerId} the provider's
 * payment intent ({@code pi_...}). {@code status}: {@code succeeded}, {@code requires_action} (the customer must
 * authenticate; {@code nextAction} says how), {@code requires_capture} (authorized, {@code capture: false}) or
 * {@code processing}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Charge(String id, String status, long amount, String currency, String providerId, String customer,
                     Map<String, Object> nextAction) {

    public Charge withId(String hubId) {
        return new Charge(hubId, status, amount, currency, providerId, customer, nextAction);
    }
}
