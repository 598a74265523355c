package io.integrationhub.integrations;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.delivery.CircuitBreakers;
import io.integrationhub.delivery.DeliveryException;
import io.integrationhub.delivery.HttpProviderResponses;
import io.integrationhub.delivery.PermanentDeliveryException;
import io.integrationhub.delivery.ProviderGuard;
import io.integrationhub.delivery.TransientDeliveryException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.util.ObjectHelper;

/**
 * Calls the API of an {@link HttpApiEndpoint}: the request through the API's guard ({@code direct:guarded-http-<name>}:
 * throttle and circuit breaker), retried here on a transient failure after the backoff or the API's Retry-After.
 */
public class HttpApiProducer extends DefaultProducer {

    /** Set by a route: the path for this call, overriding the endpoint's ({@code /contacts/42}). */
    public static final String PATH = "httpApiPath";
    /** Set by a route: headers of this call besides the authentication ({@code Idempotency-Key}), a map. */
    public static final String HEADERS = "httpApiHeaders";
    /** The answer's HTTP status, on the message after the call. */
    public static final String STATUS = "httpApiStatus";

    private static final String REQUEST = "hubHttpApiRequest";
    private static final ObjectMapper JSON = io.integrationhub.api.JsonResponses.JSON;

    private final HttpApiEndpoint endpoint;
    private HttpClient http;
    private ProducerTemplate guard;
    private volatile boolean guarded;

    HttpApiProducer(HttpApiEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(Math.min(endpoint.getTimeoutMs(), 10_000))).build();
        guard = getEndpoint().getCamelContext().createProducerTemplate();
    }

    @Override
    protected void doStop() throws Exception {
        if (guard != null) {
            guard.stop();
        }
        super.doStop();
    }

    /**
     * The API's call route and its guard, made at the first call through an endpoint of its name (an integration
     * that is not set up, and so never calls, shows no breaker).
     */
    private static synchronized void ensureGuard(CamelContext context, HttpApiEndpoint endpoint) throws Exception {
        String provider = endpoint.provider();
        if (context.getRoute(provider) != null) {
            return;
        }
        String breaker = CircuitBreakers.of(context).register(provider, Map.of(
                "failure-rate-threshold", (long) endpoint.getFailureRateThreshold(),
                "minimum-number-of-calls", (long) endpoint.getMinimumNumberOfCalls(),
                "sliding-window-size", (long) Math.max(20, endpoint.getMinimumNumberOfCalls()),
                "wait-duration-in-open-state-seconds", (long) endpoint.getOpenSeconds()));
        RouteBuilder.addRoutes(context, routes -> routes.from("direct:" + provider).routeId(provider)
                .errorHandler(routes.noErrorHandler())
                .process(HttpApiProducer::call));
        context.addRouteFromTemplate("guard-" + provider, ProviderGuard.TEMPLATE, Map.of("provider", provider,
                "rate", String.valueOf(endpoint.getRate()), "breaker", breaker));
    }

    /** One request, as the call route makes it. */
    private record Request(String provider, HttpClient http, HttpRequest request) {
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        if (!guarded) {
            ensureGuard(getEndpoint().getCamelContext(), endpoint);
            guarded = true;
        }
        Request request = new Request(endpoint.provider(), http, request(exchange));
        for (int attempt = 0; ; attempt++) {
            Exchange answer = guard.send(ProviderGuard.guarded(endpoint.provider()), call -> call.setProperty(REQUEST, request));
            Exception failure = answer.getException();
            if (failure == null) {
                exchange.getMessage().setHeader(STATUS, answer.getMessage().getHeader(STATUS));
                exchange.getMessage().setBody(answer.getMessage().getBody());
                return;
            }
            DeliveryException classified = ObjectHelper.getException(DeliveryException.class, failure);
            if (classified instanceof TransientDeliveryException transientFailure && attempt < endpoint.getRetries()) {
                long wait = endpoint.getBackoffMs() << Math.min(attempt, 16);
                Duration retryAfter = transientFailure.retryAfter();
                if (retryAfter != null && retryAfter.toMillis() > endpoint.getMaxRetryAfterMs()) {
                    throw transientFailure;
                }
                if (retryAfter != null) {
                    wait = Math.max(wait, retryAfter.toMillis());
                }
                Thread.sleep(wait);
                continue;
            }
            throw classified != null ? classified : failure;
        }
    }

    private HttpRequest request(Exchange exchange) throws Exception {
        String path = exchange.getProperty(PATH, endpoint.getPath(), String.class);
        URI uri = URI.create(endpoint.getBaseUrl() + (path == null || path.isEmpty() || path.startsWith("/") ? "" : "/")
                + (path == null ? "" : path));
        if (!uri.getHost().equals(URI.create(endpoint.getBaseUrl()).getHost())) {
            throw new PermanentDeliveryException(endpoint.provider(), "the path leaves the API's host");
        }
        Object body = exchange.getMessage().getBody();
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
        boolean hasBody = body != null && !(body instanceof String text && text.isEmpty());
        if (hasBody) {
            byte[] bytes = body instanceof String text ? text.getBytes(StandardCharsets.UTF_8)
                    : body instanceof byte[] raw ? raw : JSON.writeValueAsBytes(body);
            publisher = HttpRequest.BodyPublishers.ofByteArray(bytes);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(endpoint.getTimeoutMs()))
                .method(endpoint.getMethod(), publisher).header("Accept", "application/json");
        if (hasBody) {
            builder.header("Content-Type", "application/json");
        }
        Map<?, ?> extra = exchange.getProperty(HEADERS, Map.class);
        if (extra != null) {
            extra.forEach((name, value) -> builder.header(String.valueOf(name), String.valueOf(value)));
        }
        CamelContext context = getEndpoint().getCamelContext();
        switch (endpoint.getAuth()) {
            case "bearer" -> builder.header("Authorization", "Bearer " + secret(context, endpoint.getTokenVariable()));
            case "header" -> builder.header(endpoint.getAuthHeader(), secret(context, endpoint.getTokenVariable()));
            case "basic" -> builder.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (secret(context, endpoint.getUsernameVariable()) + ":" + secret(context, endpoint.getTokenVariable()))
                            .getBytes(StandardCharsets.UTF_8)));
            default -> {
            }
        }
        return builder.build();
    }

    /** A credential from the environment (or the hub's settings); a refusal naming the variable when unset. */
    private String secret(CamelContext context, String variable) {
        String value = System.getenv(variable);
        if (value == null || value.isEmpty()) {
            value = context.getPropertiesComponent().resolveProperty(variable).orElse("");
        }
        if (value.isEmpty()) {
            throw new PermanentDeliveryException(endpoint.provider(), variable + " is not set");
        }
        return value;
    }

    /** The call route's work: one request; the answer's JSON on the body, or the failure it means. */
    private static void call(Exchange exchange) throws Exception {
        Request request = exchange.getProperty(REQUEST, Request.class);
        HttpResponse<String> response;
        try {
            response = request.http().send(request.request(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new TransientDeliveryException(request.provider(), "no answer: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), null, e);
        }
        int status = response.statusCode();
        exchange.getMessage().setHeader(STATUS, status);
        if (status >= 200 && status < 300) {
            exchange.getMessage().setBody(answer(response));
            return;
        }
        String reason = "HTTP " + status + (response.body() == null || response.body().isBlank() ? ""
                : ": " + (response.body().length() > 300 ? response.body().substring(0, 300) + "..." : response.body()));
        // read as every HTTP provider's answer is: 408, 429 and 5xx transient (with Retry-After), other 4xx refused
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        response.headers().firstValue("Retry-After").ifPresent(value -> exchange.getMessage().setHeader("Retry-After", value));
        throw HttpProviderResponses.failure(request.provider(), exchange, reason, String.valueOf(status));
    }

    /** JSON as maps and lists (what YAML routes read with {@code ${body[field]}}); other text as text. */
    private static Object answer(HttpResponse<String> response) {
        String text = response.body();
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            JsonNode tree = JSON.readTree(text);
            return tree.isContainerNode() ? JSON.convertValue(tree, Object.class) : JSON.treeToValue(tree, Object.class);
        } catch (Exception notJson) {
            return text;
        }
    }
}
