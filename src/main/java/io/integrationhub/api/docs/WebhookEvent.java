package io.integrationhub.api.docs;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "WebhookEvent", description = "A webhook event the hub received, verified and stored")
public class WebhookEvent {
    @Schema(example = "evt_0d07ecbe339c498cb54b97e1ac4ddeec")
    public String id;
    @Schema(example = "stripe")
    public String source;
    @Schema(description = "The provider's id of the event (what repeated deliveries are recognized by)")
    public String eventId;
    @Schema(example = "checkout.session.completed")
    public String type;
    @Schema(description = "received (not yet handed out), dispatched (to its subscribers) or unhandled (no subscriber)")
    public String status;
    public String receivedAt;
    public String contentType;
    @Schema(description = "The body exactly as received (only on GET /webhooks/events/{id})")
    public String payload;
    @Schema(description = "Each delivery to a subscriber route (only on GET /webhooks/events/{id})")
    public List<WebhookDelivery> deliveries;
}
