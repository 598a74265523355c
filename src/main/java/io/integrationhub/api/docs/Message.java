package io.integrationhub.api.docs;

import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "Message", description = "A message in the outbox")
public class Message {
    public String id;
    @Schema(example = "email")
    public String channel;
    @Schema(description = "queued, sending, sent, delivered, failed (retried at nextAttemptAt) or dead")
    public String status;
    public int attempts;
    public String provider;
    public String providerMessageId;
    public String providerErrorCode;
    public String lastError;
    public String createdAt;
    public String updatedAt;
    public String sentAt;
    public String deliveredAt;
    public String nextAttemptAt;
    @Schema(description = "The message as accepted (only on GET /messages/{id})")
    public Map<String, Object> content;
}
