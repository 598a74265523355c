package io.integrationhub.outbox;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.api.ApiDocs;
import io.integrationhub.api.ApiErrorHandling;
import io.integrationhub.api.ApiProblem;
import io.integrationhub.api.JsonResponses;
import io.integrationhub.api.RequestParameters;
import io.integrationhub.api.docs.Message;
import io.integrationhub.api.docs.MessagePage;
import io.integrationhub.security.Caller;
import io.integrationhub.security.Callers;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.RestParamType;

/**
 * What became of accepted messages: {@code GET /api/v1/messages/{id}}, {@code GET /api/v1/messages} (filters and
 * paging) and {@code POST /api/v1/messages/{id}/retry} for dead ones. A sender key sees the messages it sent; an
 * admin key sees all.
 */
public class MessageApiRoutes extends RouteBuilder {

    private static final Pattern ID = Pattern.compile("msg_[0-9a-f]{32}");
    private static final Pattern CHANNEL = Pattern.compile("[a-z]{1,20}");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void configure() {
        Outbox outbox = getContext().getRegistry().lookupByNameAndType("outbox", Outbox.class);
        WakeUps wakeUps = WakeUps.of(getContext());

        RestDefinition rest = ApiDocs.bearer(rest("/api/v1/messages").description("Status of accepted messages"));
        ApiDocs.answers(rest.get().id("rest-messages-list").produces("application/json")
                    .description("List messages, newest first; filters: status, channel; paging: limit (1-100), offset")
                    .param().name("status").type(RestParamType.query).required(false).dataType("string")
                        .allowableValues(new java.util.ArrayList<>(new java.util.TreeSet<>(OutboxMessage.STATUSES)))
                        .description("Only messages with this status").endParam()
                    .param().name("channel").type(RestParamType.query).required(false).dataType("string")
                        .description("Only messages of this channel, such as email or sms").endParam()
                    .param().name("limit").type(RestParamType.query).required(false).dataType("integer")
                        .defaultValue("50").description("Page size, 1 to 100").endParam()
                    .param().name("offset").type(RestParamType.query).required(false).dataType("integer")
                        .defaultValue("0").description("Messages to skip").endParam(),
                200, "A page of messages (a sender key sees its own)", MessagePage.class, 400, 401, 503)
                    .to("direct:api-messages-list");
        ApiDocs.answers(rest.get("/{id}").id("rest-messages-get").produces("application/json")
                    .description("One message: status, attempts, provider, provider message id, last error, timestamps, content")
                    .param().name("id").type(RestParamType.path).required(true).dataType("string")
                        .description("The message's id, from the 202 that accepted it").endParam(),
                200, "The message", Message.class, 401, 404, 503)
                    .to("direct:api-messages-get");
        ApiDocs.answers(rest.post("/{id}/retry").id("rest-messages-retry").produces("application/json")
                    .description("Queue a dead message again (idempotent by nature: a message already queued again "
                            + "answers 409)")
                    .param().name("id").type(RestParamType.path).required(true).dataType("string")
                        .description("The dead message's id").endParam(),
                202, "Queued again", Message.class, 401, 404, 409, 503)
                    .to("direct:api-messages-retry");

        from("direct:api-messages-get").routeId("api-messages-get").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> JsonResponses.respond(e, 200, view(visible(outbox, e), true)));

        from("direct:api-messages-list").routeId("api-messages-list").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    Caller caller = Callers.of(e);
                    String status = RequestParameters.query(e, "status").orElse(null);
                    String channel = RequestParameters.query(e, "channel").orElse(null);
                    if (status != null && !OutboxMessage.STATUSES.contains(status)) {
                        throw ApiProblem.badRequest("status", "must be one of " + new java.util.TreeSet<>(OutboxMessage.STATUSES));
                    }
                    if (channel != null && !CHANNEL.matcher(channel).matches()) {
                        throw ApiProblem.badRequest("channel", "must be a channel name such as email");
                    }
                    int limit = RequestParameters.number(e, "limit", 50, 1, 100);
                    int offset = RequestParameters.number(e, "offset", 0, 0, 1_000_000);
                    Outbox.Page page = outbox.list(status, channel, caller.isAdmin() ? null : caller.keyName(), limit, offset);
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("items", page.items().stream().map(m -> view(m, false)).toList());
                    body.put("limit", limit);
                    body.put("offset", offset);
                    body.put("nextOffset", page.items().size() == limit ? offset + limit : null);
                    JsonResponses.respond(e, 200, body);
                });

        from("direct:api-messages-retry").routeId("api-messages-retry").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    OutboxMessage message = visible(outbox, e);
                    OutboxMessage queued = outbox.retryDead(message.id()).orElseThrow(() -> new ApiProblem(409,
                            "Not dead", "only a dead message can be retried; this one is "
                            + outbox.find(message.id()).map(OutboxMessage::status).orElse("gone")));
                    JsonResponses.respond(e, 202, view(queued, false));
                    e.setProperty("hubWake", message.channel());
                })
                .process(e -> wakeUps.wake(e.getProperty("hubWake", String.class)));
    }

    private static OutboxMessage visible(Outbox outbox, Exchange e) {
        Caller caller = Callers.of(e);
        String single = RequestParameters.path(e, "/api/v1/messages/{id}", "id");
        String id = single != null ? single : RequestParameters.path(e, "/api/v1/messages/{id}/retry", "id");
        if (id == null || !ID.matcher(id).matches()) {
            throw ApiProblem.badRequest("id", "must be a message id like msg_ followed by 32 hex digits");
        }
        return outbox.find(id)
                .filter(m -> caller.isAdmin() || caller.keyName().equals(m.createdBy()))
                .orElseThrow(() -> ApiProblem.notFound("message " + id));
    }


    static Map<String, Object> view(OutboxMessage m, boolean withContent) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", m.id());
        view.put("channel", m.channel());
        view.put("status", m.status());
        view.put("attempts", m.attempts());
        view.put("provider", m.provider());
        view.put("providerMessageId", m.providerMessageId());
        view.put("lastError", m.lastError());
        view.put("createdAt", text(m.createdAt()));
        view.put("updatedAt", text(m.updatedAt()));
        view.put("sentAt", text(m.sentAt()));
        view.put("deliveredAt", text(m.deliveredAt()));
        view.put("providerErrorCode", m.providerErrorCode());
        view.put("nextAttemptAt", OutboxMessage.FAILED.equals(m.status()) ? text(m.nextAttemptAt()) : null);
        if (withContent) {
            try {
                view.put("content", JSON.readTree(m.payload()));
            } catch (Exception e) {
                view.put("content", null);
            }
        }
        return view;
    }

    private static String text(java.time.Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
