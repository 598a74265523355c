package io.integrationhub.api.docs;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "Accepted", description = "A message stored in the outbox")
public class Accepted {
    public String id;
    @Schema(example = "queued")
    public String status;
    @Schema(example = "/api/v1/messages/0b9c...")
    public String statusUrl;
}
