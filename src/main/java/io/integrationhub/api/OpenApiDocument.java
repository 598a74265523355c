package io.integrationhub.api;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.openapi.OpenApiRestApiProcessorFactory;
import org.apache.camel.spi.RestApiProcessorFactory;
import org.apache.camel.spi.RestConfiguration;
import org.apache.camel.support.processor.DelegateSyncProcessor;

/**
 * {@code /openapi.json} as camel-openapi-java generates it from the routes, with what its generator cannot say: error
 * responses are {@code application/problem+json} (it gives every response the operation's one media type), and the
 * server is the configured public URL ({@code hub.public-url}) or, unset, the server the document was fetched from
 * ({@code /}), never the bind address.
 */
public final class OpenApiDocument implements RestApiProcessorFactory {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RestApiProcessorFactory generator = new OpenApiRestApiProcessorFactory();
    private final String serverUrl;

    public OpenApiDocument(String publicUrl) {
        String url = publicUrl == null ? "" : publicUrl.trim().replaceAll("/+$", "");
        this.serverUrl = url.isEmpty() ? "/" : url;
    }

    @Override
    public Processor createApiProcessor(CamelContext context, String contextPath, RestConfiguration configuration,
            Map<String, Object> parameters) throws Exception {
        Processor generated = generator.createApiProcessor(context, contextPath, configuration, parameters);
        if (generated instanceof CamelContextAware aware) {
            aware.setCamelContext(context);
        }
        return new DelegateSyncProcessor(generated) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                try {
                    process(exchange);
                } catch (Exception e) {
                    exchange.setException(e);
                }
                callback.done(true);
                return true;
            }

            @Override
            public void process(Exchange exchange) throws Exception {
                processor.process(exchange);
                String body = exchange.getMessage().getBody(String.class);
                if (body != null && body.stripLeading().startsWith("{")) {
                    exchange.getMessage().setBody(complete(body));
                    exchange.getMessage().removeHeader(Exchange.CONTENT_LENGTH);
                }
            }
        };
    }

    /**
     * Drops the generator's {@code x-className} notes (Java class names, no part of the contract) and the
     * {@code type: object} it puts beside a {@code oneOf} (which would forbid the string form).
     */
    private static void tidy(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove("x-className");
            if (object.has("oneOf")) {
                object.remove("type");
            }
        }
        node.forEach(OpenApiDocument::tidy);
    }

    /** The generated document, completed. */
    String complete(String generated) throws Exception {
        JsonNode document = JSON.readTree(generated);
        if (!(document instanceof ObjectNode root)) {
            return generated;
        }
        root.set("servers", JSON.valueToTree(List.of(Map.of("url", serverUrl,
                "description", serverUrl.equals("/") ? "This hub" : "The hub's public URL"))));
        root.path("paths").forEach(path -> path.forEach(operation -> operation.path("responses").fields()
                .forEachRemaining(response -> {
                    if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                        JsonNode content = response.getValue().get("content");
                        if (content instanceof ObjectNode media && media.has("application/json")) {
                            JsonNode schema = media.remove("application/json");
                            media.set(Problems.CONTENT_TYPE, schema);
                        }
                    }
                })));
        tidy(root);
        return JSON.writeValueAsString(root);
    }
}
