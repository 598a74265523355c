package io.integrationhub.webhooks;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.integrationhub.api.ApiDocs;
import io.integrationhub.api.ApiErrorHandling;
import io.integrationhub.api.ApiProblem;
import io.integrationhub.api.Idempotency;
import io.integrationhub.api.JsonResponses;
import io.integrationhub.api.RequestParameters;
import io.integrationhub.api.docs.WebhookEvent;
import io.integrationhub.api.docs.WebhookEventPage;
import io.integrationhub.api.docs.WebhookReplay;
import io.integrationhub.outbox.Outbox;
import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.outbox.WakeUps;
import io.integrationhub.security.Callers;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.RestParamType;

/**
 * The received webhook events, for admin keys only (events carry personal data): {@code GET /api/v1/webhooks/events}
 * (filters source, type, status; paging), {@code GET /api/v1/webhooks/events/{id}} (the raw payload and each
 * subscriber's delivery) and {@code POST /api/v1/webhooks/events/{id}/replay} (all subscribers, or one with
 * {@code ?subscriber=}).
 */
public class WebhookEventRoutes extends RouteBuilder {

    private static final Pattern ID = Pattern.compile("evt_[0-9a-f]{32}");
    private static final Set<String> STATUSES = Set.of(WebhookEvents.RECEIVED, WebhookEvents.DISPATCHED, WebhookEvents.UNHANDLED);

    @Override
    public void configure() {
        WebhookEvents events = getContext().getRegistry().lookupByNameAndType(WebhookEvents.BEAN, WebhookEvents.class);
        WebhookSubscribers subscribers = getContext().getRegistry()
                .lookupByNameAndType(WebhookSubscribers.BEAN, WebhookSubscribers.class);
        Outbox outbox = getContext().getRegistry().lookupByNameAndType("outbox", Outbox.class);
        Idempotency idempotency = getContext().getRegistry().lookupByNameAndType("idempotency", Idempotency.class);
        WakeUps wakeUps = WakeUps.of(getContext());

        RestDefinition rest = ApiDocs.bearer(rest("/api/v1/webhooks/events")
                .description("Received webhook events (admin keys only)"));
        ApiDocs.answers(rest.get().id("rest-webhook-events-list").produces("application/json")
                    .description("List received events, newest first; filters: source, type, status; paging: limit "
                            + "(1-100), offset")
                    .param().name("source").type(RestParamType.query).required(false).dataType("string")
                        .description("Only events of this source").endParam()
                    .param().name("type").type(RestParamType.query).required(false).dataType("string")
                        .description("Only events of this type").endParam()
                    .param().name("status").type(RestParamType.query).required(false).dataType("string")
                        .allowableValues(List.copyOf(new java.util.TreeSet<>(STATUSES)))
                        .description("Only events with this status").endParam()
                    .param().name("limit").type(RestParamType.query).required(false).dataType("integer")
                        .defaultValue("50").description("Page size, 1 to 100").endParam()
                    .param().name("offset").type(RestParamType.query).required(false).dataType("integer")
                        .defaultValue("0").description("Events to skip").endParam(),
                200, "A page of events", WebhookEventPage.class, 400, 401, 403, 503)
                    .to("direct:api-webhook-events-list");
        ApiDocs.answers(rest.get("/{id}").id("rest-webhook-events-get").produces("application/json")
                    .description("One event: its raw payload and each subscriber's delivery (status, attempts, last error)")
                    .param().name("id").type(RestParamType.path).required(true).dataType("string")
                        .description("The event's id, from the 200 that accepted it").endParam(),
                200, "The event", WebhookEvent.class, 400, 401, 403, 404, 503)
                    .to("direct:api-webhook-events-get");
        ApiDocs.answers(ApiDocs.idempotencyKey(rest.post("/{id}/replay").id("rest-webhook-events-replay")
                    .produces("application/json")
                    .description("Hand the event to its subscribers again (new deliveries), or to one of them")
                    .param().name("id").type(RestParamType.path).required(true).dataType("string")
                        .description("The event's id").endParam()
                    .param().name("subscriber").type(RestParamType.query).required(false).dataType("string")
                        .description("Only this subscriber route (its route id)").endParam()),
                202, "Handed out again: the new deliveries' ids by subscriber", WebhookReplay.class, 400, 401, 403, 404,
                409, 422, 503)
                    .to("direct:api-webhook-events-replay");

        from("direct:api-webhook-events-list").routeId("api-webhook-events-list").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    Callers.requireAdmin(e);
                    String status = RequestParameters.query(e, "status").orElse(null);
                    if (status != null && !STATUSES.contains(status)) {
                        throw ApiProblem.badRequest("status", "must be one of " + new java.util.TreeSet<>(STATUSES));
                    }
                    String source = RequestParameters.query(e, "source").orElse(null);
                    if (source != null && !WebhookSources.NAME.matcher(source).matches()) {
                        throw ApiProblem.badRequest("source", "must be a source name such as stripe");
                    }
                    String type = RequestParameters.query(e, "type").orElse(null);
                    if (type != null && (type.isEmpty() || type.length() > 255)) {
                        throw ApiProblem.badRequest("type", "must be 1 to 255 characters");
                    }
                    int limit = RequestParameters.number(e, "limit", 50, 1, 100);
                    int offset = RequestParameters.number(e, "offset", 0, 0, 1_000_000);
                    List<WebhookEvents.Event> page = events.list(source, type, status, limit, offset);
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("items", page.stream().map(event -> view(event, null)).toList());
                    body.put("limit", limit);
                    body.put("offset", offset);
                    body.put("nextOffset", page.size() == limit ? offset + limit : null);
                    JsonResponses.respond(e, 200, body);
                });

        from("direct:api-webhook-events-get").routeId("api-webhook-events-get").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    Callers.requireAdmin(e);
                    WebhookEvents.Event event = event(events, e, "/api/v1/webhooks/events/{id}");
                    JsonResponses.respond(e, 200, view(event, events.deliveries(event.id(), outbox)));
                });

        from("direct:api-webhook-events-replay").routeId("api-webhook-events-replay").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    Callers.requireAdmin(e);
                    WebhookEvents.Event event = event(events, e, "/api/v1/webhooks/events/{id}/replay");
                    List<String> takers = subscribers.of(event.source(), event.type());
                    String only = RequestParameters.query(e, "subscriber").orElse(null);
                    if (only != null) {
                        if (!takers.contains(only)) {
                            throw new ApiProblem(422, "Invalid subscriber", "no running route with this id subscribes "
                                    + "to this event", List.of(new io.integrationhub.delivery.FieldError("subscriber",
                                    "is not a running subscriber of this event")));
                        }
                        takers = List.of(only);
                    }
                    // with an Idempotency-Key, a repeated replay answers the first one's deliveries and adds none
                    String key = RequestParameters.header(e, Idempotency.HEADER);
                    if (key != null) {
                        Idempotency.validateKey(key);
                    }
                    List<String> chosen = takers;
                    Idempotency.StoredResponse response = idempotency.execute(Callers.of(e).keyName(), key,
                            Idempotency.requestHash("POST", "/api/v1/webhooks/events/" + event.id() + "/replay",
                                    only == null ? "" : only), tx -> {
                                Map<String, Object> body = new LinkedHashMap<>();
                                body.put("id", event.id());
                                body.put("deliveries", events.replay(tx, event, chosen, outbox));
                                return new Idempotency.StoredResponse(202, JsonResponses.write(body));
                            });
                    JsonResponses.respondRaw(e, response.status(), response.body());
                })
                .process(wakeUps.step(WebhookDeliveries.CHANNEL));
    }

    private static WebhookEvents.Event event(WebhookEvents events, Exchange e, String template) {
        String id = RequestParameters.path(e, template, "id");
        if (id == null || !ID.matcher(id).matches()) {
            throw ApiProblem.badRequest("id", "must be an event id like evt_ followed by 32 hex digits");
        }
        return events.find(id).orElseThrow(() -> ApiProblem.notFound("event " + id));
    }

    private static Map<String, Object> view(WebhookEvents.Event event, List<WebhookEvents.Delivery> deliveries) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", event.id());
        view.put("source", event.source());
        view.put("eventId", event.eventId());
        view.put("type", event.type());
        view.put("status", event.status());
        view.put("receivedAt", event.receivedAt() == null ? null : event.receivedAt().toString());
        view.put("contentType", event.contentType());
        if (deliveries != null) {
            view.put("payload", event.body() == null ? null : new String(event.body(), StandardCharsets.UTF_8));
            view.put("deliveries", deliveries.stream().map(d -> {
                OutboxMessage m = d.message();
                Map<String, Object> delivery = new LinkedHashMap<>();
                delivery.put("subscriber", d.subscriber());
                delivery.put("id", m.id());
                delivery.put("status", m.status());
                delivery.put("attempts", m.attempts());
                delivery.put("lastError", m.lastError());
                delivery.put("nextAttemptAt", OutboxMessage.FAILED.equals(m.status()) && m.nextAttemptAt() != null
                        ? m.nextAttemptAt().toString() : null);
                return delivery;
            }).toList());
        }
        return view;
    }

}
