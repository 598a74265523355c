package io.integrationhub.api.docs;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "IssuedKey", description = "A key with its secret value, shown only in this answer")
public class IssuedKey extends Key {
    @Schema(description = "The secret: Authorization: Bearer <key>")
    public String key;
    public String previousKeyId;
    public String previousKeyExpiresAt;
}
