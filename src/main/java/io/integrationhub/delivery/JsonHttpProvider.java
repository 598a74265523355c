package io.integrationhub.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * The route of a provider reached by POSTing JSON with a bearer API key (SendGrid, Resend, ...): no header of the
 * caller goes out, the key is set only for the call and removed after it, and the answer is read as the provider
 * documents it ({@link HttpProviderResponses}). The provider-specific parts are the request body and where the
 * provider's message id is found.
 */
public final class JsonHttpProvider {

    /** Builds the provider's JSON request (as a map or record) from the exchange. */
    @FunctionalInterface
    public interface RequestBody {
        Object of(Exchange exchange) throws Exception;
    }

    /** Reads the provider's id of the accepted message from its 2xx answer. */
    @FunctionalInterface
    public interface MessageId {
        String of(Exchange exchange) throws Exception;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonHttpProvider() {
    }

    /**
     * Adds {@code direct:<provider>}. With {@code idempotencyKey}, the hub's message id goes along as the provider's
     * {@code Idempotency-Key}, so that a retry after a lost answer is not a second send.
     */
    public static void configure(RouteBuilder builder, String provider, String url, String apiKey, String apiKeyVariable,
                                 boolean idempotencyKey, RequestBody body, MessageId messageId) {
        String endpoint = url + "?throwExceptionOnFailure=false&connectTimeout={{http.connect-timeout-ms}}"
                + "&responseTimeout={{http.response-timeout-ms}}";
        builder.from("direct:" + provider).routeId(provider)
                .errorHandler(builder.noErrorHandler())
                .removeHeaders("*")
                .process(e -> {
                    if (apiKey.isEmpty()) {
                        throw new PermanentDeliveryException(provider, apiKeyVariable + " is not set");
                    }
                    e.getMessage().setBody(JSON.writeValueAsString(body.of(e)));
                    e.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
                    e.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
                    e.getMessage().setHeader("Authorization", "Bearer " + apiKey);
                    String hubMessageId = e.getProperty("hubMessageId", String.class);
                    if (idempotencyKey && hubMessageId != null) {
                        e.getMessage().setHeader("Idempotency-Key", hubMessageId);
                    }
                })
                .doTry()
                    .to(endpoint)
                .doCatch(Exception.class)
                    .process(e -> {
                        // the key must not travel back to the caller (or an error log) on the failed exchange
                        e.getMessage().removeHeader("Authorization");
                        Exception cause = e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
                        throw new TransientDeliveryException(provider, "request failed: " + DeliveryFailures.describe(
                                cause instanceof org.apache.camel.RuntimeCamelException && cause.getCause() != null
                                        ? cause.getCause() : cause), null, cause);
                    })
                .end()
                .removeHeader("Authorization")
                .process(e -> {
                    HttpProviderResponses.check(provider, e);
                    e.getMessage().setBody(new DeliveryResult(provider, messageId.of(e)));
                });
    }
}
