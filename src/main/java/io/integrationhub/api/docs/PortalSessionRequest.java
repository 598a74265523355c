package io.integrationhub.api.docs;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "PortalSessionRequest", description = "The hosted customer portal")
public class PortalSessionRequest {
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "cus_NffrFeUfNV2Hib")
    public String customer;
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "https://app.example.com/account")
    public String returnUrl;
}
