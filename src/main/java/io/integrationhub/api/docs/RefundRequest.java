package io.integrationhub.api.docs;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "RefundRequest", description = "A refund, never more than is left of the charge")
public class RefundRequest {
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "The hub's pay_..., or the provider's pi_... or ch_...")
    public String charge;
    @Schema(description = "Default: what is left to refund")
    public Long amount;
    @Schema(allowableValues = {"duplicate", "fraudulent", "requested_by_customer"})
    public String reason;
}
