package io.integrationhub.email;

import io.integrationhub.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.delivery.DeliveryResult;
import io.integrationhub.delivery.HttpProviderResponses;
import io.integrationhub.delivery.PermanentDeliveryException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * SendGrid's v3 Mail Send API: {@code POST /v3/mail/send}, JSON, {@code Authorization: Bearer <SENDGRID_API_KEY>};
 * 202 on acceptance with the message id in {@code X-Message-Id}. Tags become categories, metadata custom_args.
 */
public class SendGridEmailRoutes extends RouteBuilder {

    static final String PROVIDER = "email-sendgrid";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void configure() {
        String apiKey = Settings.get(getContext(), "sendgrid.api-key", "");
        String url = Settings.get(getContext(), "sendgrid.base-url", "https://api.sendgrid.com") + "/v3/mail/send"
                + "?throwExceptionOnFailure=false&connectTimeout={{http.connect-timeout-ms}}"
                + "&responseTimeout={{http.response-timeout-ms}}";

        from("direct:" + PROVIDER).routeId(PROVIDER)
                .errorHandler(noErrorHandler())
                .removeHeaders("*")
                .process(e -> {
                    if (apiKey.isEmpty()) {
                        throw new PermanentDeliveryException(PROVIDER, "SENDGRID_API_KEY is not set");
                    }
                    EmailMessage m = e.getProperty(EmailRoutes.MESSAGE_PROPERTY, EmailMessage.class);
                    e.getMessage().setBody(JSON.writeValueAsString(request(m)));
                    e.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
                    e.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
                    e.getMessage().setHeader("Authorization", "Bearer " + apiKey);
                })
                .to(url)
                .removeHeader("Authorization")
                .process(e -> {
                    HttpProviderResponses.check(PROVIDER, e);
                    e.getMessage().setBody(new DeliveryResult(PROVIDER, e.getMessage().getHeader("X-Message-Id", String.class)));
                });
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
