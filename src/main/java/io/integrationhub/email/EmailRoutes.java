package io.integrationhub.email;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.Settings;
import io.integrationhub.api.ApiProblem;
import io.integrationhub.api.Idempotency;
import io.integrationhub.delivery.DeliveryResult;
import io.integrationhub.delivery.InvalidMessageException;
import io.integrationhub.delivery.ProviderGuard;
import io.integrationhub.delivery.ProviderUnavailableException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code direct:send-email}, the one public way to send an email inside the hub (YAML routes, Java, the outbox):
 * it validates (and renders a template), then calls the configured provider through its guard (throttle and
 * circuit breaker), and the fallback provider while the primary's breaker is open. Synchronous: the body comes
 * back as a {@link io.integrationhub.delivery.DeliveryResult}, or a typed exception is thrown
 * ({@link io.integrationhub.delivery.InvalidMessageException}, a {@link io.integrationhub.delivery.DeliveryException}).
 */
public class EmailRoutes extends RouteBuilder {

    public static final String SEND = "direct:send-email";
    static final String DELIVER = "direct:email-deliver";
    /** Set by a caller of {@link #SEND} to make the send idempotent (exchange property, like the email fields). */
    public static final String IDEMPOTENCY_KEY_PROPERTY = "idempotencyKey";
    public static final String CHANNEL = "email";
    /** The validated message, kept on the exchange so a fallback provider gets it unchanged. */
    public static final String MESSAGE_PROPERTY = "hubEmail";
    static final Set<String> PROVIDERS = Set.of("console", "smtp", "sendgrid", "resend");

    @Override
    public void configure() {
        EmailMessages messages = getContext().getRegistry().lookupByNameAndType("emailMessages", EmailMessages.class);
        ObjectMapper json = new ObjectMapper();
        String primary = provider("email.provider", "console");
        String fallback = provider("email.fallback-provider", "");

        for (String provider : List.of("console", "smtp", "sendgrid", "resend")) {
            ProviderGuard.configure(this, "email-" + provider,
                    Settings.number(getContext(), "email." + provider + ".rate", 10));
        }

        Idempotency idempotency = getContext().getRegistry().lookupByNameAndType("idempotency", Idempotency.class);
        ProducerTemplate producer = getContext().createProducerTemplate();

        from(SEND).routeId("send-email")
                .errorHandler(noErrorHandler())
                .process(e -> {
                    Object request = e.getProperty(TO_PROPERTY) != null || e.getProperty(TEMPLATE_PROPERTY) != null
                            ? fromProperties(e) : e.getMessage().getBody();
                    EmailMessage message = messages.from(request);
                    e.setProperty(MESSAGE_PROPERTY, message);
                    e.getMessage().setBody(message);
                })
                .choice()
                    .when(exchangeProperty(IDEMPOTENCY_KEY_PROPERTY).isNotNull())
                        .process(e -> onceForKey(e, idempotency, producer, json))
                    .otherwise()
                        .to(DELIVER)
                .end();

        // the configured provider, and the fallback while the primary's breaker is open
        var deliver = from(DELIVER).routeId("email-deliver").errorHandler(noErrorHandler());
        if (fallback.isEmpty() || fallback.equals(primary)) {
            deliver.to(ProviderGuard.endpoint("email-" + primary));
        } else {
            deliver.doTry()
                    .to(ProviderGuard.endpoint("email-" + primary))
                .doCatch(ProviderUnavailableException.class)
                    .setBody(exchangeProperty(MESSAGE_PROPERTY))
                    .to(ProviderGuard.endpoint("email-" + fallback))
                .end();
        }

        // the outbox stores the validated message as JSON; this turns it back into an email and sends it
        from("direct:outbox-" + CHANNEL).routeId("outbox-" + CHANNEL)
                .errorHandler(noErrorHandler())
                .process(e -> e.getMessage().setBody(json.readValue(e.getMessage().getBody(String.class), EmailMessage.class)))
                .to(SEND);
    }

    /**
     * Same key, same email: the first result again, never a second send; same key, another email: an
     * {@link ApiProblem} 422. The key is stored with the result in one transaction, which stays open while the
     * provider is called, so a concurrent send with the same key waits for the first and gets its result.
     */
    private static void onceForKey(Exchange e, Idempotency idempotency, ProducerTemplate producer, ObjectMapper json)
            throws Exception {
        String key = e.getProperty(IDEMPOTENCY_KEY_PROPERTY, String.class);
        if (!Idempotency.isWellFormed(key)) {
            throw new InvalidMessageException(IDEMPOTENCY_KEY_PROPERTY, Idempotency.KEY_SHAPE);
        }
        String request = json.writeValueAsString(e.getProperty(MESSAGE_PROPERTY, EmailMessage.class));
        // scoped by the route that sends: two integrations keyed by the same order id do not collide
        Idempotency.StoredResponse response = idempotency.execute(SEND + " from " + e.getFromRouteId(), key,
                Idempotency.requestHash("SEND", SEND, request), c -> {
                    Exchange sent = producer.send(DELIVER, e.copy());
                    if (sent.getException() instanceof RuntimeException failure) {
                        throw failure;
                    } else if (sent.getException() != null) {
                        throw new IllegalStateException(sent.getException());
                    }
                    try {
                        return new Idempotency.StoredResponse(200,
                                json.writeValueAsString(sent.getMessage().getBody(DeliveryResult.class)));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
                        throw new IllegalStateException(notJson);
                    }
                });
        e.getMessage().setBody(json.readValue(response.body(), DeliveryResult.class));
    }

    /** Set by a route to compose the email from exchange properties (which HTTP callers cannot set). */
    public static final String TO_PROPERTY = "emailTo";
    public static final String TEMPLATE_PROPERTY = "emailTemplate";
    private static final List<String> PROPERTY_FIELDS = List.of("to", "cc", "bcc", "from", "replyTo", "subject",
            "text", "html", "template", "tags", "metadata");

    /**
     * The request described by {@code emailTo}, {@code emailTemplate}, {@code emailSubject}, {@code emailText},
     * {@code emailHtml}, {@code emailCc}, {@code emailBcc}, {@code emailFrom}, {@code emailReplyTo},
     * {@code emailTags}, {@code emailMetadata}; with a template, the body (a map or JSON object) is its data.
     */
    static Map<String, Object> fromProperties(Exchange e) {
        Map<String, Object> request = new LinkedHashMap<>();
        for (String field : PROPERTY_FIELDS) {
            Object value = e.getProperty("email" + Character.toUpperCase(field.charAt(0)) + field.substring(1));
            if (value != null) {
                request.put(field, value);
            }
        }
        if (request.containsKey("template") && e.getMessage().getBody() != null) {
            Object body = e.getMessage().getBody();
            try {
                request.put("data", body instanceof Map<?, ?> ? body
                        : new ObjectMapper().readValue(e.getMessage().getBody(String.class), Map.class));
            } catch (Exception notJson) {
                throw new InvalidMessageException("data", "the body must be a JSON object to fill the template");
            }
        }
        return request;
    }

    private String provider(String key, String defaultValue) {
        String value = Settings.get(getContext(), key, defaultValue).trim().toLowerCase();
        if (!value.isEmpty() && !PROVIDERS.contains(value)) {
            throw new IllegalArgumentException(key.toUpperCase().replace('.', '_').replace('-', '_')
                    + " must be one of " + PROVIDERS + ", not '" + value + "'");
        }
        return value;
    }

}
