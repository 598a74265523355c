package io.integrationhub.api.docs;

import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "ChargeRequest", description = "A charge: a payment intent created and confirmed at once")
public class ChargeRequest {
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "1999",
            description = "In the currency's smallest unit (1999 = $19.99; JPY has none); Stripe's minimum per currency, at most 99999999")
    public long amount;
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "usd", description = "ISO 4217, all lower or all upper case")
    public String currency;
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "pm_card_visa")
    public String paymentMethod;
    @Schema(example = "cus_NffrFeUfNV2Hib")
    public String customer;
    @Schema(description = "Up to 1000 characters")
    public String description;
    @Schema(description = "Up to 50 keys of up to 40 letters, digits, _ . : -; string values up to 500 characters")
    public Map<String, String> metadata;
    @Schema(description = "false: authorize only (status requires_capture)", defaultValue = "true")
    public Boolean capture;
}
