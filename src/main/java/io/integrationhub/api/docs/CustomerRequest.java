package io.integrationhub.api.docs;

import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "CustomerRequest", description = "A customer of the payment provider")
public class CustomerRequest {
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "ann@example.com")
    public String email;
    public String name;
    public Map<String, String> metadata;
}
