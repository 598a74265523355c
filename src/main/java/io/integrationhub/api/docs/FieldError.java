package io.integrationhub.api.docs;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "FieldError")
public class FieldError {
    @Schema(example = "to")
    public String field;
    public String message;
}
