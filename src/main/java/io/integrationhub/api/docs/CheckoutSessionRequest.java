package io.integrationhub.api.docs;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "CheckoutSessionRequest", description = "A hosted checkout page")
public class CheckoutSessionRequest {
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"payment", "subscription"})
    public String mode;
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "1 to 100 items")
    public List<LineItem> lineItems;
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "https://app.example.com/welcome?session={CHECKOUT_SESSION_ID}")
    public String successUrl;
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "https://app.example.com/pricing")
    public String cancelUrl;
    public String customer;

    /** A price of the provider's catalogue, or (payment mode) an amount with a product name. */
    @Schema(name = "CheckoutLineItem")
    public static class LineItem {
        @Schema(example = "price_1MoBy5LkdIwHu7ix")
        public String price;
        @Schema(defaultValue = "1")
        public Long quantity;
        public Long amount;
        public String currency;
        public String name;
    }
}
