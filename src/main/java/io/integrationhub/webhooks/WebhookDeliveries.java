package io.integrationhub.webhooks;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.api.JsonResponses;
import io.integrationhub.delivery.DeliveryResult;
import io.integrationhub.delivery.TransientDeliveryException;
import io.integrationhub.outbox.OutboxChannel;
import org.apache.camel.Exchange;

/**
 * The outbox channel that carries events to their subscribers: one delivery per (event, subscriber), so each
 * subscriber is attempted, retried on the outbox's schedule ({@code webhook.retry-schedule}, else
 * {@code delivery.retry-schedule}) and dead-lettered on its own, and one subscriber's failure never re-runs another.
 */
public final class WebhookDeliveries implements OutboxChannel {

    public static final String CHANNEL = "webhook";
    public static final String PROVIDER = "webhook-subscriber";
    /** Headers a subscriber route gets with the event's raw body. */
    public static final String SOURCE = "webhookSource";
    public static final String TYPE = "webhookType";
    public static final String EVENT_ID = "webhookEventId";
    public static final String ID = "webhookId";

    @Override
    public String name() {
        return CHANNEL;
    }

    static String payload(String event, String subscriber) {
        return JsonResponses.write(Map.of("event", event, "subscriber", subscriber));
    }

    /** The subscriber a stored delivery is for. */
    static String subscriber(String payload) {
        try {
            return JsonResponses.JSON.readTree(payload).path("subscriber").asText(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** Delivers one stored delivery ({@code direct:outbox-webhook}'s body) to its subscriber route, synchronously. */
    static DeliveryResult deliver(String payload, WebhookEvents events, WebhookSubscribers subscribers) throws Exception {
        JsonNode delivery = JsonResponses.JSON.readTree(payload);
        String eventId = delivery.path("event").asText();
        String subscriber = delivery.path("subscriber").asText();
        WebhookEvents.Event event = events.find(eventId).orElseThrow(() -> new io.integrationhub.delivery
                .PermanentDeliveryException(PROVIDER, "the event " + eventId + " is no longer stored"));
        WebhookConsumer consumer = subscribers.find(subscriber).orElseThrow(() -> new TransientDeliveryException(
                PROVIDER, "the subscriber route " + subscriber + " is not running", null, null));
        Exchange exchange = consumer.createExchange(false);
        try {
            exchange.getMessage().setBody(new String(event.body(), StandardCharsets.UTF_8));
            exchange.getMessage().setHeader(SOURCE, event.source());
            exchange.getMessage().setHeader(TYPE, event.type());
            exchange.getMessage().setHeader(EVENT_ID, event.eventId());
            exchange.getMessage().setHeader(ID, event.id());
            if (event.contentType() != null) {
                exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, event.contentType());
            }
            consumer.getProcessor().process(exchange);
            Exception failure = exchange.getException();
            if (failure != null) {
                // a message the subscriber built that can never be sent (a phone number that is not one): retrying
                // cannot help, so the delivery is dead at once and the event shows why
                Throwable invalid = org.apache.camel.util.ObjectHelper.getException(
                        io.integrationhub.delivery.InvalidMessageException.class, failure);
                if (invalid != null) {
                    throw new io.integrationhub.delivery.PermanentDeliveryException(PROVIDER, "the subscriber "
                            + subscriber + " made an invalid message: " + invalid.getMessage());
                }
                throw new TransientDeliveryException(PROVIDER, "the subscriber " + subscriber + " failed: "
                        + failure.getClass().getSimpleName() + ": " + failure.getMessage(), null, failure);
            }
            return new DeliveryResult(PROVIDER, subscriber, null);
        } finally {
            consumer.releaseExchange(exchange, false);
        }
    }
}
