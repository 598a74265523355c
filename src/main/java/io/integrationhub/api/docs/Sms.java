package io.integrationhub.api.docs;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "Sms", description = "An SMS: a body, a template with data, or media URLs")
public class Sms {
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "E.164 number", example = "+14155550100")
    public String to;
    @Schema(description = "Defaults to the configured sender")
    public String from;
    public String body;
    public String template;
    public Map<String, Object> data;
    public List<String> mediaUrls;
    public List<String> tags;
    public Map<String, String> metadata;
}
