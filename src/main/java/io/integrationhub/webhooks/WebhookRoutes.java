package io.integrationhub.webhooks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.integrationhub.Settings;
import io.integrationhub.api.JsonResponses;
import io.integrationhub.api.Problems;
import io.integrationhub.api.RequestParameters;
import io.vertx.core.http.HttpServerRequest;
import io.integrationhub.outbox.Outbox;
import io.integrationhub.outbox.WakeUps;
import io.integrationhub.store.StoreException;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webhooks/{source}}: an unknown source is 404; a body over {@code HUB_WEBHOOKS_MAX_BODY_BYTES} 413;
 * the signature is verified over the raw bytes as received, by the source's scheme, and every failure answers the
 * same 400 (the log says which check failed); the event is stored once per provider's event id and committed, then
 * answered 200 {@code {"id", "status": "accepted" | "duplicate"}}.
 */
public class WebhookRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookRoutes.class);
    /** The path prefix: the edge hands these requests' bodies over untouched (see the edge's raw bodies). */
    public static final String PATH = "/webhooks/";
    static final String VERIFICATION_FAILED = "signature verification failed";
    /** The schemes whose senders post JSON: another body type under a valid signature is refused (415). */
    static final java.util.Set<String> JSON_SCHEMES = java.util.Set.of("stripe", "github", "calendly", "standard");
    /** How many deliveries a received event queued (internal to the receive route). */
    private static final String DELIVERIES = "HubWebhookDeliveries";
    /** {@code direct:publish-event}: an event from a route, to the subscribers of its source and type. */
    public static final String PUBLISH = "direct:publish-event";
    /** Exchange properties of {@link #PUBLISH}: the source (default {@code app}), the type, the id (for dedup). */
    public static final String EVENT_SOURCE = "eventSource";
    public static final String EVENT_TYPE = "eventType";
    public static final String EVENT_ID = "eventId";
    static final String DISPATCH_WAKE = "seda:webhooks-dispatch?size=1&discardWhenFull=true";

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        return type.equals("application/json") || type.endsWith("+json");
    }

    @Override
    public void configure() {
        WebhookSources sources = getContext().getRegistry().lookupByNameAndType(WebhookSources.BEAN, WebhookSources.class);
        WebhookEvents events = getContext().getRegistry().lookupByNameAndType(WebhookEvents.BEAN, WebhookEvents.class);
        long maxBodyBytes = Settings.number(getContext(), "hub.webhooks.max-body-bytes");
        String publicUrl = Settings.optional(getContext(), "hub.public-url").replaceAll("/+$", "");

        WebhookSubscribers subscribers = getContext().getRegistry()
                .lookupByNameAndType(WebhookSubscribers.BEAN, WebhookSubscribers.class);
        Outbox outbox = getContext().getRegistry().lookupByNameAndType("outbox", Outbox.class);
        wakeSubscribers(from("platform-http:/webhooks/{source}?httpMethodRestrict=POST").routeId("webhooks-receive")
                // the event's deliveries are stored with it (see wakeSubscribers)
                .process(exchange -> receive(exchange, sources, events, subscribers, outbox, maxBodyBytes, publicUrl)));

        // an event from a route (an app's report through a REST route, say): stored and handed to its subscribers
        // like a provider's, under a source of its own (not a webhook source: a route never fakes a provider)
        wakeSubscribers(from(PUBLISH).routeId("publish-event")
                .errorHandler(noErrorHandler())
                .process(exchange -> {
                    String source = exchange.getProperty(EVENT_SOURCE, "app", String.class);
                    if (!WebhookSources.NAME.matcher(source).matches() || sources.find(source).isPresent()) {
                        throw new io.integrationhub.delivery.InvalidMessageException(EVENT_SOURCE, "must be a name "
                                + "of lower-case letters, digits and dashes that is not a webhook source");
                    }
                    String type = exchange.getProperty(EVENT_TYPE, String.class);
                    if (type == null || type.isBlank() || type.length() > 255) {
                        throw new io.integrationhub.delivery.InvalidMessageException(EVENT_TYPE, "must be 1 to 255 characters");
                    }
                    String id = exchange.getProperty(EVENT_ID, String.class);
                    if (id != null && (id.isBlank() || id.length() > 255)) {
                        throw new io.integrationhub.delivery.InvalidMessageException(EVENT_ID, "must be 1 to 255 characters");
                    }
                    Object body = exchange.getMessage().getBody();
                    byte[] json = body instanceof String text ? text.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                            : body instanceof byte[] raw ? raw : JsonResponses.JSON.writeValueAsBytes(body);
                    try {
                        if (!JsonResponses.JSON.readTree(json).isObject()) {
                            throw new IllegalArgumentException();
                        }
                    } catch (Exception notAnObject) {
                        throw new io.integrationhub.delivery.InvalidMessageException("body", "must be a JSON object");
                    }
                    EventIdentity identity = new EventIdentity(id != null ? id : java.util.UUID.randomUUID().toString(), type);
                    WebhookEvents.Stored stored = events.store(source, identity, "application/json", "{}", json,
                            subscribers.isStarted() ? subscribers.of(source, type) : null, outbox);
                    exchange.getMessage().setHeader(DELIVERIES, stored.deliveries());
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("id", stored.id());
                    answer.put("status", stored.duplicate() ? "duplicate" : "accepted");
                    exchange.getMessage().setBody(answer);
                }));

        // events stored before every subscriber had started (at start, say) to their subscribers: an outbox
        // delivery per subscriber (see WebhookDeliveries)
        from("timer:webhooks-dispatch-poll?period={{outbox.poll-interval-ms}}").routeId("webhooks-dispatch-poll")
                .to(ExchangePattern.InOnly, DISPATCH_WAKE);
        from(DISPATCH_WAKE).routeId("webhooks-dispatch")
                .process(exchange -> {
                    if (!subscribers.isStarted()) {
                        return;
                    }
                    boolean handed = false;
                    try {
                        // until none is left; the outbox's workers are woken only when a subscriber has work
                        for (WebhookEvents.Dispatched done = events.dispatchReceived(100, subscribers::of, outbox);
                                done.events() > 0; done = events.dispatchReceived(100, subscribers::of, outbox)) {
                            handed |= done.deliveries() > 0;
                        }
                    } catch (StoreException away) {
                        LOG.debug("Webhook events not dispatched: {}", away.getMessage());
                    }
                    exchange.getMessage().setBody(handed);
                })
                .filter(body().isEqualTo(true))
                    .process(WakeUps.of(getContext()).step(WebhookDeliveries.CHANNEL))
                .end();

        // one delivery: the event to one subscriber route (the outbox's workers call this)
        from("direct:outbox-" + WebhookDeliveries.CHANNEL).routeId("outbox-" + WebhookDeliveries.CHANNEL)
                // the failure is the outbox's to handle (retry or dead letter), not this route's to log
                .errorHandler(noErrorHandler())
                .process(exchange -> exchange.getMessage().setBody(WebhookDeliveries.deliver(
                        exchange.getMessage().getBody(String.class), events, subscribers)));
    }

    /** An event stored with deliveries for its subscribers: the outbox's workers take them at once. */
    private void wakeSubscribers(org.apache.camel.model.ProcessorDefinition<?> route) {
        route.filter(header(DELIVERIES).isGreaterThan(0))
                .process(WakeUps.of(getContext()).step(WebhookDeliveries.CHANNEL))
            .end()
            .removeHeader(DELIVERIES);
    }

    private static void receive(Exchange exchange, WebhookSources sources, WebhookEvents events,
            WebhookSubscribers subscribers, Outbox outbox, long maxBodyBytes, String publicUrl) {
        HttpServerRequest request = exchange.getMessage() instanceof HttpMessage http ? http.getRequest() : null;
        String path = request == null ? exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class) : request.path();
        String name = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        WebhookSource source = WebhookSources.NAME.matcher(name).matches() ? sources.find(name).orElse(null) : null;
        if (source == null || request == null) {
            Problems.respond(exchange, 404, "Not found", "no webhook source is configured at this path", null);
            return;
        }
        byte[] body = RequestParameters.body(exchange);
        if (body == null) {
            body = new byte[0];
        }
        if (body.length > maxBodyBytes) {
            Problems.respond(exchange, 413, "Payload too large", "the body is larger than " + maxBodyBytes + " bytes", null);
            return;
        }
        Map<String, List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String header : request.headers().names()) {
            headers.put(header, new ArrayList<>(request.headers().getAll(header)));
        }
        // the body's own type, which the edge set aside so that the body arrives here as the bytes sent
        String contentType = request.getHeader(RawWebhookBodies.ORIGINAL_CONTENT_TYPE);
        headers.remove(RawWebhookBodies.ORIGINAL_CONTENT_TYPE);
        headers.remove("Content-Type");
        if (contentType != null) {
            headers.put("Content-Type", List.of(contentType));
        }
        String url = (publicUrl.isEmpty() ? "http://localhost" : publicUrl) + request.uri();
        SignedRequest signed = new SignedRequest(body, headers, url);
        try {
            if (source.scheme().equals("twilio") && publicUrl.isEmpty()) {
                throw new VerificationFailure("HUB_PUBLIC_URL is not set: Twilio signs the public URL it called");
            }
            source.signatures().verify(signed, source.secrets(), Instant.now());
        } catch (VerificationFailure failure) {
            LOG.warn("Webhook from {} refused: {}", source.name(), failure.getMessage());
            Problems.respond(exchange, 400, "Bad request", VERIFICATION_FAILED, null);
            return;
        }
        if (JSON_SCHEMES.contains(source.scheme()) && !isJson(contentType)) {
            LOG.warn("Webhook from {} refused: Content-Type {} is not JSON", source.name(), contentType);
            Problems.respond(exchange, 415, "Unsupported media type", "this source sends application/json", null);
            return;
        }
        EventIdentity identity;
        try {
            identity = EventIdentity.of(source, signed);
        } catch (EventIdentity.InvalidEventException invalid) {
            LOG.warn("Webhook from {} refused: {}", source.name(), invalid.getMessage());
            Problems.respond(exchange, 400, "Bad request", invalid.getMessage(), null);
            return;
        }
        Map<String, String> kept = new LinkedHashMap<>();
        for (String header : source.signatures().headers()) {
            String value = signed.header(header);
            if (value != null) {
                kept.put(header, value);
            }
        }
        // the subscribers known now get their deliveries in the event's own transaction; before every subscriber
        // route has started, the dispatcher hands the event on later
        WebhookEvents.Stored stored = events.store(source.name(), identity, contentType, JsonResponses.write(kept), body,
                subscribers.isStarted() ? subscribers.of(source.name(), identity.type()) : null, outbox);
        exchange.getMessage().setHeader(DELIVERIES, stored.deliveries());
        JsonResponses.respond(exchange, 200, Map.of("id", stored.id(), "status", stored.duplicate() ? "duplicate" : "accepted"));
    }

}
