package io.integrationhub.api.docs;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "KeyRequest", description = "A new API key")
public class KeyRequest {
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "1 to 100 letters, digits, spaces, '.', '_' or '-'")
    public String name;
    @Schema(allowableValues = {"sender", "admin"}, defaultValue = "sender")
    public String role;
    @Schema(description = "Sender domains this key may send email from (any when absent)")
    public List<String> allowedFrom;
}
