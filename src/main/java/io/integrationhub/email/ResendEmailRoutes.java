package io.integrationhub.email;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.Settings;
import io.integrationhub.channel.ChannelRoutes;
import io.integrationhub.delivery.HttpProvider;
import org.apache.camel.builder.RouteBuilder;

/**
 * Resend's emails API: {@code POST /emails}, JSON, {@code Authorization: Bearer <RESEND_API_KEY>}; 200 with
 * {@code {"id": ...}}. The hub's message id goes along as Resend's {@code Idempotency-Key}, so a retry after a lost
 * answer is not a second email. Metadata and tags become Resend tags (name/value pairs; characters Resend does not
 * accept in a tag value become '_').
 */
public class ResendEmailRoutes extends RouteBuilder {

    static final String PROVIDER = "email-resend";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void configure() {
        String apiKey = Settings.optional(getContext(), "resend.api-key");
        HttpProvider.configure(this, PROVIDER, Settings.get(getContext(), "resend.base-url") + "/emails",
                apiKey.isEmpty() ? "" : "Bearer " + apiKey, "RESEND_API_KEY",
                // the hub's message id as Resend's Idempotency-Key: a retry after a lost answer is not a second email
                e -> HttpProvider.json(request(e.getProperty(ChannelRoutes.MESSAGE, EmailMessage.class)),
                        e.getProperty(ChannelRoutes.MESSAGE_ID) == null ? Map.of()
                                : Map.of("Idempotency-Key", e.getProperty(ChannelRoutes.MESSAGE_ID, String.class))),
                HttpProvider.accepted(PROVIDER, e -> JSON.readTree(e.getMessage().getBody(String.class)).path("id").asText(null)));
    }

    static Map<String, Object> request(EmailMessage m) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", m.from().formatted());
        body.put("to", m.to().stream().map(EmailAddress::formatted).toList());
        if (!m.cc().isEmpty()) {
            body.put("cc", m.cc().stream().map(EmailAddress::formatted).toList());
        }
        if (!m.bcc().isEmpty()) {
            body.put("bcc", m.bcc().stream().map(EmailAddress::formatted).toList());
        }
        if (m.replyTo() != null) {
            body.put("reply_to", m.replyTo().formatted());
        }
        body.put("subject", m.subject());
        if (m.text() != null) {
            body.put("text", m.text());
        }
        if (m.html() != null) {
            body.put("html", m.html());
        }
        List<Map<String, String>> tags = new ArrayList<>();
        m.tags().forEach(tag -> tags.add(Map.of("name", tag, "value", "true")));
        // Resend accepts only ASCII letters, digits, '_' and '-' in tag values
        m.metadata().forEach((k, v) -> tags.add(Map.of("name", k, "value", v.replaceAll("[^A-Za-z0-9_-]", "_"))));
        if (!tags.isEmpty()) {
            body.put("tags", tags);
        }
        return body;
    }

}
