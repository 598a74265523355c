package io.integrationhub.api.docs;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "Key")
public class Key {
    public String id;
    public String name;
    public String role;
    public String createdAt;
    public String expiresAt;
    public String revokedAt;
    public List<String> allowedFrom;
}
