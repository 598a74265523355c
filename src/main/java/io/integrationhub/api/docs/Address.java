package io.integrationhub.api.docs;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "EmailAddress", description = "An address: \"ann@example.com\", \"Ann <ann@example.com>\", or "
        + "{\"email\", \"name\"}")
public class Address {
    public String email;
    public String name;
}
