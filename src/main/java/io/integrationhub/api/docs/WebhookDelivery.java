package io.integrationhub.api.docs;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "WebhookDelivery", description = "One delivery of an event to one subscriber route")
public class WebhookDelivery {
    @Schema(description = "The subscriber route's id")
    public String subscriber;
    @Schema(description = "The delivery's id in the outbox (GET /api/v1/messages/{id})")
    public String id;
    @Schema(description = "queued, sending, sent (the route took it), failed (retried at nextAttemptAt) or dead")
    public String status;
    public int attempts;
    public String lastError;
    public String nextAttemptAt;
}
