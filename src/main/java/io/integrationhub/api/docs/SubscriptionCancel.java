package io.integrationhub.api.docs;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "SubscriptionCancel", description = "Cancel now, or at the end of the paid period")
public class SubscriptionCancel {
    @Schema(defaultValue = "false")
    public Boolean atPeriodEnd;
}
