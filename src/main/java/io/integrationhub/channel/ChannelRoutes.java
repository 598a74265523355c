package io.integrationhub.channel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.Settings;
import io.integrationhub.api.ApiDocs;
import io.integrationhub.api.ApiErrorHandling;
import io.integrationhub.api.ApiProblem;
import io.integrationhub.api.Idempotency;
import io.integrationhub.api.JsonBodies;
import io.integrationhub.api.JsonResponses;
import io.integrationhub.api.Problems;
import io.integrationhub.api.RequestParameters;
import io.integrationhub.api.docs.Accepted;
import io.integrationhub.api.docs.BatchResult;
import io.integrationhub.delivery.CircuitBreakers;
import io.integrationhub.delivery.DeliveryResult;
import io.integrationhub.delivery.FieldError;
import io.integrationhub.delivery.InvalidMessageException;
import io.integrationhub.delivery.ProviderGuard;
import io.integrationhub.delivery.ProviderUnavailableException;
import io.integrationhub.outbox.Outbox;
import io.integrationhub.outbox.OutboxRoutes;
import io.integrationhub.outbox.WakeUps;
import io.integrationhub.security.Caller;
import io.integrationhub.security.Callers;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.rest.RestDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared machinery of every asynchronous channel, written once; a channel ({@link Channel} bean) plugs in its
 * message, its validation and its provider routes. For a channel {@code <c>}:
 * <ul>
 * <li>{@code POST /api/v1/<c>} and {@code /api/v1/<c>/batch}: validate, store in the outbox with the
 * Idempotency-Key in one transaction, answer 202, wake the channel's dispatcher;</li>
 * <li>{@code direct:enqueue-<c>}: the same from a route (durable: returns {@code {id, status, statusUrl}} at once);</li>
 * <li>{@code direct:send-<c>}: a synchronous send that returns the {@link DeliveryResult} or throws a typed
 * exception; with the exchange property {@code idempotencyKey}, the key is reserved before the provider call and
 * completed after it, so no transaction is held while the provider answers;</li>
 * <li>{@code direct:<c>-deliver}: the configured provider ({@code <C>_PROVIDER}) through its guard (throttle at
 * {@code <c>.<provider>.rate}, circuit breaker {@code breaker.<c>-<provider>.*}), and the fallback provider
 * ({@code <C>_FALLBACK_PROVIDER}) while the primary's breaker is open. Breakers exist for configured providers
 * only;</li>
 * <li>{@code direct:<c>-console}: the embedded default provider, which logs a masked summary;</li>
 * <li>{@code direct:outbox-<c>}: a stored message back into a message, then delivered as by
 * {@code direct:<c>-deliver}.</li>
 * </ul>
 * In-JVM callers describe the message with a body (the request as a map or JSON, or the message record) or with
 * exchange properties {@code <c><Field>} ({@code smsTo}, {@code smsBody}, ...), the body then being template data.
 */
public class ChannelRoutes extends RouteBuilder {

    /** The validated message, on the exchange while a provider's route runs. */
    public static final String MESSAGE = "hubMessage";
    /** The outbox id of the message, on the exchange while it is delivered from the outbox. */
    public static final String MESSAGE_ID = OutboxRoutes.MESSAGE_ID;
    /** Set by a route calling {@code direct:send-<c>} or {@code direct:enqueue-<c>} to make it idempotent. */
    public static final String IDEMPOTENCY_KEY = "idempotencyKey";
    static final int MAX_BATCH = 100;
    private static final Logger LOG = LoggerFactory.getLogger(ChannelRoutes.class);
    private final ObjectMapper json = new ObjectMapper();

    /** The channels of this hub, by name. */
    @SuppressWarnings("rawtypes")
    public static List<Channel> channels(CamelContext context) {
        return context.getRegistry().findByType(Channel.class).stream()
                .sorted(java.util.Comparator.comparing(Channel::name)).toList();
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public void configure() {
        for (Channel channel : channels(getContext())) {
            configure(channel);
        }
    }

    private <M> void configure(Channel<M> channel) {
        String c = channel.name();
        Outbox outbox = getContext().getRegistry().lookupByNameAndType("outbox", Outbox.class);
        Idempotency idempotency = getContext().getRegistry().lookupByNameAndType("idempotency", Idempotency.class);
        WakeUps wakeUps = WakeUps.of(getContext());
        Duration staleReservation = Duration.ofSeconds(Settings.number(getContext(), "outbox.lease-seconds"));
        String primary = provider(channel, c + ".provider", true);
        String fallback = provider(channel, c + ".fallback-provider", false);
        if (fallback.equals(primary)) {
            fallback = "";
        }

        // the guard of each configured provider (and only those: their breakers show in health and metrics)
        CircuitBreakers breakers = CircuitBreakers.of(getContext());
        for (String provider : fallback.isEmpty() ? List.of(primary) : List.of(primary, fallback)) {
            String name = c + "-" + provider;
            templatedRoute(ProviderGuard.TEMPLATE).routeId("guard-" + name)
                    .parameter("provider", name)
                    .parameter("rate", Settings.get(getContext(), c + "." + provider + ".rate"))
                    .parameter("breaker", breakers.register(name));
        }

        from("direct:" + c + "-console").routeId(c + "-console")
                .errorHandler(noErrorHandler())
                .process(e -> {
                    // time-ordered, as the outbox's own ids (the store indexes it beside the last one); not a
                    // secret, so not drawn from the secure generator the message ids share
                    String id = "console-" + Outbox.timeOrdered(java.util.concurrent.ThreadLocalRandom.current());
                    LOG.info("{} (console provider, not sent) {}: {}", c, id,
                            channel.summary(e.getProperty(MESSAGE, channel.messageType())));
                    e.getMessage().setBody(new DeliveryResult(c + "-console", id));
                });

        viaProviders(from("direct:" + c + "-deliver").routeId(c + "-deliver").errorHandler(noErrorHandler()),
                c, primary, fallback);

        ProducerTemplate producer = getContext().createProducerTemplate();
        @SuppressWarnings("unchecked")
        SenderPolicy<M> senderPolicy = getContext().getRegistry().lookupByNameAndType(c + "SenderPolicy", SenderPolicy.class);
        from("direct:send-" + c).routeId("send-" + c)
                .errorHandler(noErrorHandler())
                .process(e -> {
                    M message = ChannelRequests.read(channel, e, json);
                    // an app calling through a route sends under its key's rules too (allowed senders)
                    Callers.tryOf(e).ifPresent(caller -> allowed(senderPolicy, message, caller, ""));
                    e.setProperty(MESSAGE, message);
                    String key = e.getProperty(IDEMPOTENCY_KEY, String.class);
                    if (key == null) {
                        e.getMessage().setBody(send(producer, c, e));
                        return;
                    }
                    checkKey(key);
                    String scope = scope("direct:send-" + c, e);
                    String hash = Idempotency.requestHash("SEND", "direct:send-" + c, json.writeValueAsString(message));
                    Idempotency.Reservation reservation = idempotency.reserve(scope, key, hash, staleReservation);
                    if (!reservation.reserved()) {
                        e.getMessage().setBody(json.readValue(reservation.replay().body(), DeliveryResult.class));
                        return;
                    }
                    DeliveryResult result;
                    try {
                        result = send(producer, c, e);
                    } catch (RuntimeException failed) {
                        idempotency.release(scope, key);
                        throw failed;
                    }
                    idempotency.complete(scope, key, new Idempotency.StoredResponse(200, json.writeValueAsString(result)));
                    e.getMessage().setBody(result);
                });

        from("direct:enqueue-" + c).routeId("enqueue-" + c)
                .errorHandler(noErrorHandler())
                .process(e -> {
                    M message = ChannelRequests.read(channel, e, json);
                    Callers.tryOf(e).ifPresent(caller -> allowed(senderPolicy, message, caller, ""));
                    String key = e.getProperty(IDEMPOTENCY_KEY, String.class);
                    if (key != null) {
                        checkKey(key);
                    }
                    // an app calling through a route owns what it queues: its messages API shows it
                    String createdBy = Callers.tryOf(e).map(Caller::keyName).orElse("route:" + e.getFromRouteId());
                    String payload = json.writeValueAsString(message);
                    String id = Outbox.newId();
                    Idempotency.StoredResponse accepted = new Idempotency.StoredResponse(202, JsonResponses.write(accepted(id)));
                    Idempotency.StoredResponse response = idempotency.execute(scope("direct:enqueue-" + c, e), key,
                            key == null ? null : Idempotency.requestHash("ENQUEUE", "direct:enqueue-" + c, payload), tx -> {
                                outbox.enqueue(tx, id, c, payload, createdBy);
                                return accepted;
                            });
                    e.getMessage().setBody(json.readValue(response.body(), Map.class));
                })
                .process(wakeUps.step(c));

        // the providers are called from here, not through direct:<c>-deliver: one route less for every message sent
        com.fasterxml.jackson.databind.ObjectReader stored = json.readerFor(channel.messageType());
        viaProviders(from("direct:outbox-" + c).routeId("outbox-" + c)
                .errorHandler(noErrorHandler())
                .process(e -> e.setProperty(MESSAGE, stored.readValue(e.getMessage().getBody(String.class)))),
                c, primary, fallback);

        api(channel, outbox, idempotency);
    }

    /** The configured provider through its guard, and the fallback's guard while the primary's breaker is open. */
    private static void viaProviders(RouteDefinition route, String c, String primary, String fallback) {
        if (fallback.isEmpty()) {
            route.to(ProviderGuard.guarded(c + "-" + primary));
        } else {
            route.doTry()
                    .to(ProviderGuard.guarded(c + "-" + primary))
                .doCatch(ProviderUnavailableException.class)
                    .to(ProviderGuard.guarded(c + "-" + fallback))
                .end();
        }
    }

    /** {@code POST /api/v1/<c>} and {@code /batch}. */
    @SuppressWarnings("unchecked")
    private <M> void api(Channel<M> channel, Outbox outbox, Idempotency idempotency) {
        String c = channel.name();
        SenderPolicy<M> policy = getContext().getRegistry().lookupByNameAndType(c + "SenderPolicy", SenderPolicy.class);
        WakeUps wakeUps = WakeUps.of(getContext());
        RestDefinition rest = ApiDocs.bearer(rest("/api/v1/" + c).description("Send " + c + " through the configured provider"));
        ApiDocs.answers(ApiDocs.idempotencyKey(rest.post().id("rest-" + c + "-send").consumes("application/json")
                    .produces("application/json")
                    .description("Accept one " + c + " message into the outbox; 202 with its id and status URL")
                    .type(ApiDocs.messageModel(c))),
                202, "Accepted into the outbox (or the first answer again for a repeated Idempotency-Key)",
                Accepted.class, 400, 401, 409, 413, 415, 422, 503)
                    .to("direct:api-" + c + "-send");
        ApiDocs.answers(ApiDocs.idempotencyKey(rest.post("/batch").id("rest-" + c + "-batch").consumes("application/json")
                    .produces("application/json")
                    .description("Accept up to " + MAX_BATCH + " messages; one result per message (an id, or that message's field errors)")
                    .type(ApiDocs.batchModel(c))),
                202, "At least one message accepted; results[] has one entry per message", BatchResult.class,
                400, 401, 409, 413, 415, 422, 503)
                    .to("direct:api-" + c + "-batch");

        from("direct:api-" + c + "-send").routeId("api-" + c + "-send").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    Caller caller = Callers.of(e);
                    JsonNode request = JsonBodies.readObject(e);
                    String key = idempotencyHeader(e);
                    String payload = json.writeValueAsString(allowed(policy, channel.parse(request, ""), caller, ""));
                    // the answer is written before the store's turn: the shared transaction only inserts
                    String id = Outbox.newId();
                    Idempotency.StoredResponse accepted = new Idempotency.StoredResponse(202, JsonResponses.write(accepted(id)));
                    Idempotency.StoredResponse response = idempotency.execute(caller.keyName(), key,
                            key == null ? null : Idempotency.requestHash("POST", "/api/v1/" + c, JsonBodies.canonical(request)), tx -> {
                                outbox.enqueue(tx, id, c, payload, caller.keyName());
                                return accepted;
                            });
                    JsonResponses.respondRaw(e, response.status(), response.body());
                })
                .process(wakeUps.step(c));

        from("direct:api-" + c + "-batch").routeId("api-" + c + "-batch").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    Caller caller = Callers.of(e);
                    JsonNode request = JsonBodies.readObject(e);
                    String key = idempotencyHeader(e);
                    JsonNode items = request.get("messages");
                    if (request.size() != 1 || items == null || !items.isArray()) {
                        throw ApiProblem.badRequest("messages", "is required: {\"messages\": [ ... ]} and nothing else");
                    }
                    if (items.isEmpty() || items.size() > MAX_BATCH) {
                        throw new ApiProblem(422, "Invalid batch", "a batch holds 1 to " + MAX_BATCH + " messages",
                                List.of(new FieldError("messages", "has " + items.size() + " messages; 1 to " + MAX_BATCH + " are allowed")));
                    }
                    // each item: its stored payload, or its field errors
                    List<Object> parsed = new ArrayList<>();
                    for (int i = 0; i < items.size(); i++) {
                        try {
                            String path = "messages[" + i + "].";
                            parsed.add(json.writeValueAsString(allowed(policy, channel.parse(items.get(i), path), caller, path)));
                        } catch (InvalidMessageException invalid) {
                            parsed.add(invalid.errors());
                        }
                    }
                    if (parsed.stream().noneMatch(p -> p instanceof String)) {
                        rejectBatch(e, parsed);
                        return;
                    }
                    Idempotency.StoredResponse response = idempotency.execute(caller.keyName(), key,
                            key == null ? null
                                    : Idempotency.requestHash("POST", "/api/v1/" + c + "/batch", JsonBodies.canonical(request)), tx -> {
                                List<Map<String, Object>> results = new ArrayList<>();
                                int accepted = 0;
                                for (int i = 0; i < parsed.size(); i++) {
                                    Map<String, Object> result = new LinkedHashMap<>();
                                    result.put("index", i);
                                    if (parsed.get(i) instanceof String payload) {
                                        String id = Outbox.newId();
                                        outbox.enqueue(tx, id, c, payload, caller.keyName());
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
                .process(wakeUps.step(c));
    }

    /** The message, when the caller may send it; a refusal naming the fields it may not send as otherwise. */
    private static <M> M allowed(SenderPolicy<M> policy, M message, Caller caller, String path) {
        List<FieldError> refused = policy == null ? List.of() : policy.check(message, caller, path);
        if (!refused.isEmpty()) {
            throw new InvalidMessageException(refused);
        }
        return message;
    }

    /** No message of the batch is valid: a 422 that still lists each message's errors, and nothing stored. */
    @SuppressWarnings("unchecked")
    private void rejectBatch(Exchange e, List<Object> parsed) throws Exception {
        List<Map<String, Object>> results = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < parsed.size(); i++) {
            results.add(Map.of("index", i, "status", "rejected", "errors", parsed.get(i)));
            ((List<FieldError>) parsed.get(i)).forEach(errors::add);
        }
        Map<String, Object> problem = json.readValue(Problems.body(422, "Invalid batch",
                "no message in the batch is valid", errors), Map.class);
        problem.put("results", results);
        Problems.respond(e, 422, "Invalid batch", "no message in the batch is valid", null);
        e.getMessage().setBody(json.writeValueAsString(problem));
    }

    /**
     * Where an in-JVM idempotency key is unique: per calling route (two integrations keyed by the same order id do
     * not collide) and, for a route called over the API, per calling app.
     */
    private static String scope(String entry, Exchange e) {
        return entry + " from " + e.getFromRouteId() + Callers.tryOf(e).map(caller -> " for " + caller.keyName()).orElse("");
    }

    /** Delivers the message on {@code e} in an exchange of its own: nothing of the caller's exchange goes along. */
    private static DeliveryResult send(ProducerTemplate producer, String channel, Exchange e) {
        Exchange sent = producer.send("direct:" + channel + "-deliver",
                delivery -> delivery.setProperty(MESSAGE, e.getProperty(MESSAGE)));
        if (sent.getException() instanceof RuntimeException failure) {
            throw failure;
        } else if (sent.getException() != null) {
            throw new IllegalStateException(sent.getException());
        }
        return sent.getMessage().getBody(DeliveryResult.class);
    }

    static Map<String, Object> accepted(String id) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("status", "queued");
        body.put("statusUrl", "/api/v1/messages/" + id);
        return body;
    }

    private static void checkKey(String key) {
        if (!Idempotency.isWellFormed(key)) {
            throw new InvalidMessageException(IDEMPOTENCY_KEY, Idempotency.KEY_SHAPE);
        }
    }

    private static String idempotencyHeader(Exchange e) {
        String key = RequestParameters.header(e, Idempotency.HEADER);
        if (key != null) {
            Idempotency.validateKey(key);
        }
        return key;
    }

    /** The provider named by a setting, checked against the channel's providers at start. */
    private String provider(Channel<?> channel, String key, boolean required) {
        String value = (required ? Settings.get(getContext(), key) : Settings.optional(getContext(), key))
                .toLowerCase(java.util.Locale.ROOT);
        if (!value.isEmpty() && !channel.providers().contains(value)) {
            throw new IllegalArgumentException(Settings.variable(key) + " must be one of " + channel.providers()
                    + ", not '" + value + "'");
        }
        return value;
    }
}
