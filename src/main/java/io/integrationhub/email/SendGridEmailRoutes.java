package io.integrationhub.email;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.integrationhub.Settings;
import io.integrationhub.channel.ChannelRoutes;
import io.integrationhub.delivery.HttpProvider;
import org.apache.camel.builder.RouteBuilder;

/**
 * SendGrid's v3 Mail Send API: {@code POST /v3/mail/send}, JSON, {@code Authorization: Bearer <SENDGRID_API_KEY>};
 * 202 on acceptance with the message id in {@code X-Message-Id}. Tags become categories, metadata custom_args.
 */
public class SendGridEmailRoutes extends RouteBuilder {

    static final String PROVIDER = "email-sendgrid";

    @Override
    public void configure() {
        String apiKey = Settings.optional(getContext(), "sendgrid.api-key");
        HttpProvider.configure(this, PROVIDER, Settings.get(getContext(), "sendgrid.base-url") + "/v3/mail/send",
                apiKey.isEmpty() ? "" : "Bearer " + apiKey, "SENDGRID_API_KEY",
                e -> HttpProvider.json(request(e.getProperty(ChannelRoutes.MESSAGE, EmailMessage.class)), Map.of()),
                HttpProvider.accepted(PROVIDER, e -> e.getMessage().getHeader("X-Message-Id", String.class)));
    }

    static Map<String, Object> request(EmailMessage m) {
        Map<String, Object> personalization = new LinkedHashMap<>();
        personalization.put("to", addresses(m.to()));
        if (!m.cc().isEmpty()) {
            personalization.put("cc", addresses(m.cc()));
        }
        if (!m.bcc().isEmpty()) {
            personalization.put("bcc", addresses(m.bcc()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("personalizations", List.of(personalization));
        body.put("from", address(m.from()));
        if (m.replyTo() != null) {
            body.put("reply_to", address(m.replyTo()));
        }
        body.put("subject", m.subject());
        List<Map<String, String>> content = new ArrayList<>();
        if (m.text() != null) {
            content.add(Map.of("type", "text/plain", "value", m.text()));
        }
        if (m.html() != null) {
            content.add(Map.of("type", "text/html", "value", m.html()));
        }
        body.put("content", content);
        if (!m.tags().isEmpty()) {
            body.put("categories", m.tags());
        }
        if (!m.metadata().isEmpty()) {
            body.put("custom_args", m.metadata());
        }
        return body;
    }

    private static List<Map<String, String>> addresses(List<EmailAddress> list) {
        return list.stream().map(SendGridEmailRoutes::address).toList();
    }

    private static Map<String, String> address(EmailAddress a) {
        Map<String, String> result = new LinkedHashMap<>();
        result.put("email", a.address());
        if (a.name() != null) {
            result.put("name", a.name());
        }
        return result;
    }

}
