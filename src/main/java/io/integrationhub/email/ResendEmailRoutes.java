package io.integrationhub.email;

import io.integrationhub.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.delivery.DeliveryResult;
import io.integrationhub.delivery.HttpProviderResponses;
import io.integrationhub.delivery.PermanentDeliveryException;
import org.apache.camel.Exchange;
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
        String apiKey = Settings.get(getContext(), "resend.api-key", "");
        String url = Settings.get(getContext(), "resend.base-url", "https://api.resend.com") + "/emails"
                + "?throwExceptionOnFailure=false&connectTimeout={{http.connect-timeout-ms}}"
                + "&responseTimeout={{http.response-timeout-ms}}";

        from("direct:" + PROVIDER).routeId(PROVIDER)
                .errorHandler(noErrorHandler())
                .removeHeaders("*")
                .process(e -> {
                    if (apiKey.isEmpty()) {
                        throw new PermanentDeliveryException(PROVIDER, "RESEND_API_KEY is not set");
                    }
                    EmailMessage m = e.getProperty(EmailRoutes.MESSAGE_PROPERTY, EmailMessage.class);
                    e.getMessage().setBody(JSON.writeValueAsString(request(m)));
                    e.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
                    e.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
                    e.getMessage().setHeader("Authorization", "Bearer " + apiKey);
                    String messageId = e.getProperty("hubMessageId", String.class);
                    if (messageId != null) {
                        e.getMessage().setHeader("Idempotency-Key", messageId);
                    }
                })
                .to(url)
                .removeHeader("Authorization")
                .process(e -> {
                    HttpProviderResponses.check(PROVIDER, e);
                    JsonNode answer = JSON.readTree(e.getMessage().getBody(String.class));
                    e.getMessage().setBody(new DeliveryResult(PROVIDER, answer.path("id").asText(null)));
                });
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
