package io.integrationhub.api.docs;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "Email", description = "An email: text, html, or a template with data. to, cc and bcc take an "
        + "address or a list of addresses; an address is a string or {email, name}")
public class Email {
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, oneOf = {String.class, Address.class, Address[].class})
    public Object to;
    @Schema(oneOf = {String.class, Address.class, Address[].class})
    public Object cc;
    @Schema(oneOf = {String.class, Address.class, Address[].class})
    public Object bcc;
    @Schema(oneOf = {String.class, Address.class}, description = "Defaults to the configured sender")
    public Object from;
    @Schema(oneOf = {String.class, Address.class})
    public Object replyTo;
    public String subject;
    public String text;
    public String html;
    @Schema(description = "A template under templates/email; not with text or html")
    public String template;
    @Schema(description = "The template's data")
    public Map<String, Object> data;
    public List<String> tags;
    public Map<String, String> metadata;
}
