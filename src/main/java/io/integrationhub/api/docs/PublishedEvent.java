package io.integrationhub.api.docs;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "PublishedEvent", description = "An event stored for its subscribers")
public class PublishedEvent {
    @Schema(description = "The event's id (GET /api/v1/webhooks/events/{id}, admin keys)")
    public String id;
    @Schema(allowableValues = {"accepted", "duplicate"},
            description = "duplicate: the same Idempotency-Key reported it before; id is the first event's")
    public String status;
}
