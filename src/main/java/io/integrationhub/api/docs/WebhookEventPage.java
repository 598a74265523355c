package io.integrationhub.api.docs;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "WebhookEventPage")
public class WebhookEventPage {
    public List<WebhookEvent> items;
    public int limit;
    public int offset;
    @Schema(description = "The next page's offset, or null on the last page")
    public Integer nextOffset;
}
