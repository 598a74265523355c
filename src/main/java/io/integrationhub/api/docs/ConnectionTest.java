package io.integrationhub.api.docs;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "ConnectionTest", description = "Whether a provider's credentials work")
public class ConnectionTest {
    public String provider;
    public boolean ok;
    @Schema(allowableValues = {"ok", "refused", "unreachable", "error"},
            description = "refused: the provider refused the credentials; unreachable: no answer; error: another answer")
    public String result;
    @Schema(description = "What was found (the HTTP status, the SMTP step), never a credential")
    public String detail;
    @Schema(description = "How long the test took, milliseconds")
    public long millis;
}
