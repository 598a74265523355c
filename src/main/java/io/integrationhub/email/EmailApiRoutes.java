package io.integrationhub.email;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.api.ApiErrorHandling;
import io.integrationhub.api.ApiProblem;
import io.integrationhub.api.Idempotency;
import io.integrationhub.api.JsonBodies;
import io.integrationhub.api.JsonResponses;
import io.integrationhub.api.Problems;
import io.integrationhub.delivery.FieldError;
import io.integrationhub.delivery.InvalidMessageException;
import io.integrationhub.outbox.Outbox;
import io.integrationhub.outbox.OutboxRoutes;
import io.integrationhub.security.Caller;
import io.integrationhub.security.Callers;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code POST /api/v1/email} and {@code /api/v1/email/batch}: validate, store in the durable outbox (with the
 * idempotency key, in one transaction), answer 202 and wake the dispatcher. Nothing is stored when anything is wrong.
 */
public class EmailApiRoutes extends RouteBuilder {

    static final int MAX_BATCH = 100;

    @Override
    public void configure() {
        EmailMessages messages = getContext().getRegistry().lookupByNameAndType("emailMessages", EmailMessages.class);
        Outbox outbox = getContext().getRegistry().lookupByNameAndType("outbox", Outbox.class);
        Idempotency idempotency = getContext().getRegistry().lookupByNameAndType("idempotency", Idempotency.class);
        ObjectMapper json = new ObjectMapper();

        rest("/api/v1/email").description("Send email through the configured provider")
                .post().id("rest-email-send").consumes("application/json").produces("application/json")
                    .description("Accept one email into the outbox; 202 with its id and status URL")
                    .param().name(Idempotency.HEADER).type(org.apache.camel.model.rest.RestParamType.header).required(false).endParam()
                    .to("direct:api-email-send")
                .post("/batch").id("rest-email-batch").consumes("application/json").produces("application/json")
                    .description("Accept up to 100 emails; one result per message (an id, or that message's field errors)")
                    .to("direct:api-email-batch");

        from("direct:api-email-send").routeId("api-email-send").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    Caller caller = Callers.of(e);
                    JsonNode request = JsonBodies.readObject(e);
                    String key = idempotencyKey(e);
                    EmailMessage message = messages.parse(request, "");
                    String payload = json.writeValueAsString(message);
                    Idempotency.StoredResponse response = idempotency.execute(caller.keyName(), key,
                            Idempotency.requestHash("POST", "/api/v1/email", JsonBodies.canonical(request)), c -> {
                                String id = Outbox.newId();
                                outbox.enqueue(c, id, EmailRoutes.CHANNEL, payload, caller.keyName());
                                return new Idempotency.StoredResponse(202, JsonResponses.write(accepted(id)));
                            });
                    JsonResponses.respondRaw(e, response.status(), response.body());
                })
                .to(ExchangePattern.InOnly, OutboxRoutes.WAKE);

        from("direct:api-email-batch").routeId("api-email-batch").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    Caller caller = Callers.of(e);
                    JsonNode request = JsonBodies.readObject(e);
                    String key = idempotencyKey(e);
                    JsonNode items = request.get("messages");
                    if (request.size() != 1 || items == null || !items.isArray()) {
                        throw ApiProblem.badRequest("messages", "is required: {\"messages\": [ ... ]} and nothing else");
                    }
                    if (items.isEmpty() || items.size() > MAX_BATCH) {
                        throw new ApiProblem(422, "Invalid batch", "a batch holds 1 to " + MAX_BATCH + " messages",
                                List.of(new FieldError("messages", "has " + items.size() + " messages; 1 to " + MAX_BATCH + " are allowed")));
                    }
                    List<Object> parsed = new ArrayList<>();
                    for (int i = 0; i < items.size(); i++) {
                        try {
                            parsed.add(json.writeValueAsString(messages.parse(items.get(i), "messages[" + i + "].")));
                        } catch (InvalidMessageException invalid) {
                            parsed.add(invalid.errors());
                        }
                    }
                    if (parsed.stream().noneMatch(p -> p instanceof String)) {
                        // nothing is stored: a 4xx that still lists each message's errors
                        List<Map<String, Object>> results = new ArrayList<>();
                        List<FieldError> errors = new ArrayList<>();
                        for (int i = 0; i < parsed.size(); i++) {
                            results.add(Map.of("index", i, "status", "rejected", "errors", parsed.get(i)));
                            ((List<?>) parsed.get(i)).forEach(error -> errors.add((FieldError) error));
                        }
                        Map<String, Object> problem = json.readValue(Problems.body(422, "Invalid batch",
                                "no message in the batch is valid", errors), Map.class);
                        problem.put("results", results);
                        Problems.respond(e, 422, "Invalid batch", "no message in the batch is valid", null);
                        e.getMessage().setBody(json.writeValueAsString(problem));
                        return;
                    }
                    Idempotency.StoredResponse response = idempotency.execute(caller.keyName(), key,
                            Idempotency.requestHash("POST", "/api/v1/email/batch", JsonBodies.canonical(request)), c -> {
                                List<Map<String, Object>> results = new ArrayList<>();
                                int accepted = 0;
                                for (int i = 0; i < parsed.size(); i++) {
                                    Map<String, Object> result = new LinkedHashMap<>();
                                    result.put("index", i);
                                    if (parsed.get(i) instanceof String payload) {
                                        String id = Outbox.newId();
                                        outbox.enqueue(c, id, EmailRoutes.CHANNEL, payload, caller.keyName());
                                        result.putAll(accepted(id));
                                        accepted++;
                                    } else {
                                        result.put("status", "rejected");
                                        result.put("errors", parsed.get(i));
                                    }
                                    results.add(result);
                                }
                                Map<String, Object> body = new LinkedHashMap<>();
                                body.put("accepted", accepted);
                                body.put("rejected", parsed.size() - accepted);
                                body.put("results", results);
                                return new Idempotency.StoredResponse(202, JsonResponses.write(body));
                            });
                    JsonResponses.respondRaw(e, response.status(), response.body());
                })
                .to(ExchangePattern.InOnly, OutboxRoutes.WAKE);
    }

    static Map<String, Object> accepted(String id) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("status", "queued");
        body.put("statusUrl", "/api/v1/messages/" + id);
        return body;
    }

    static String idempotencyKey(Exchange e) {
        String key = e.getMessage().getHeader(Idempotency.HEADER, String.class);
        if (key != null) {
            Idempotency.validateKey(key);
        }
        return key;
    }
}
