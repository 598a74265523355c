package io.integrationhub.delivery;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.builder.RouteBuilder;

/**
 * The route of a provider reached over HTTP (SendGrid and Resend with JSON, Twilio with a form): no header of the
 * caller goes out, the credentials are set only for the call and removed after it (also when it fails), and the
 * answer is read as the provider documents it. The provider-specific parts are the request and the reading of
 * the answer.
 */
public final class HttpProvider {

    /** One request to the provider: its content type, body and headers of its own (such as Idempotency-Key). */
    public record Call(String contentType, String body, Map<String, String> headers) {
    }

    /** Builds the provider's request from the exchange (the message is on it, see the channel's routes). */
    @FunctionalInterface
    public interface Request {
        Call of(Exchange exchange) throws Exception;
    }

    /**
     * Reads the provider's answer (status in {@code CamelHttpResponseCode}, body as text): the result when the
     * message was accepted, else throws the matching {@link DeliveryException}.
     */
    @FunctionalInterface
    public interface Answer {
        DeliveryResult of(Exchange exchange) throws Exception;
    }

    /** Reads the provider's id of the accepted message from its 2xx answer. */
    @FunctionalInterface
    public interface MessageId {
        String of(Exchange exchange) throws Exception;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpProvider() {
    }

    public static Call json(Object body, Map<String, String> headers) throws Exception {
        return new Call("application/json", JSON.writeValueAsString(body), headers);
    }

    /** {@code application/x-www-form-urlencoded}; a name may repeat (Twilio's MediaUrl). */
    public static Call form(List<Map.Entry<String, String>> fields) {
        return new Call("application/x-www-form-urlencoded", fields.stream()
                .map(f -> URLEncoder.encode(f.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(f.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")), Map.of());
    }

    /** The usual answer: 2xx accepted, 408/429/5xx transient, other 4xx refused ({@link HttpProviderResponses}). */
    public static Answer accepted(String provider, MessageId messageId) {
        return e -> {
            HttpProviderResponses.check(provider, e);
            return new DeliveryResult(provider, messageId.of(e));
        };
    }

    /**
     * Adds {@code direct:<provider>}, POSTing to {@code url} with the {@code Authorization} header value given; an
     * empty one is a refusal naming {@code missingCredentials} (the variables to set).
     */
    public static void configure(RouteBuilder builder, String provider, String url, String authorization,
                                 String missingCredentials, Request request, Answer answer) {
        String endpoint = url + (url.contains("?") ? "&" : "?") + "throwExceptionOnFailure=false"
                + "&connectTimeout={{http.connect-timeout-ms}}&responseTimeout={{http.response-timeout-ms}}";
        builder.from("direct:" + provider).routeId(provider)
                .errorHandler(builder.noErrorHandler())
                .removeHeaders("*")
                .process(e -> {
                    if (authorization == null || authorization.isEmpty()) {
                        throw new PermanentDeliveryException(provider, missingCredentials + " is not set");
                    }
                    Call call = request.of(e);
                    e.getMessage().setBody(call.body());
                    e.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
                    e.getMessage().setHeader(Exchange.CONTENT_TYPE, call.contentType());
                    call.headers().forEach(e.getMessage()::setHeader);
                    e.getMessage().setHeader("Authorization", authorization);
                })
                .doTry()
                    .to(endpoint)
                .doCatch(Exception.class)
                    .process(e -> {
                        // the credentials must not travel back to the caller (or an error log) on the failed exchange
                        e.getMessage().removeHeader("Authorization");
                        Exception cause = e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
                        throw new TransientDeliveryException(provider, "request failed: " + DeliveryFailures.describe(
                                cause instanceof RuntimeCamelException && cause.getCause() != null
                                        ? cause.getCause() : cause), null, cause);
                    })
                .end()
                .removeHeader("Authorization")
                .process(e -> e.getMessage().setBody(answer.of(e)));
    }
}
