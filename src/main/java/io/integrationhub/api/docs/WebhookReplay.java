package io.integrationhub.api.docs;

import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "WebhookReplay", description = "A replay: the event and its new deliveries")
public class WebhookReplay {
    public String id;
    @Schema(description = "The new deliveries' ids (GET /api/v1/messages/{id}) by subscriber route")
    public Map<String, String> deliveries;
}
