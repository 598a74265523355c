package io.integrationhub.api.docs;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "SignupEvent")
public class SignupEvent {
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED)
    public String email;
    public String name;
}
