package io.integrationhub.api;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.openapi.OpenApiRestApiProcessorFactory;
import org.apache.camel.spi.RestApiProcessorFactory;
import org.apache.camel.spi.RestConfiguration;

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
        return new Processor() {
            // the generator renders the document when it starts: a new one whenever the REST definitions change
            // (a YAML integration reloaded), the current one otherwise
            private List<Integer> renderedFor = List.of();
            private Processor rendered;

            @Override
            public void process(Exchange exchange) throws Exception {
                current(context, contextPath, configuration, parameters).process(exchange);
                String body = exchange.getMessage().getBody(String.class);
                if (body != null && body.stripLeading().startsWith("{")) {
                    exchange.getMessage().setBody(complete(body));
                    exchange.getMessage().removeHeader(Exchange.CONTENT_LENGTH);
                }
            }

            private synchronized Processor current(CamelContext context, String contextPath,
                    RestConfiguration configuration, Map<String, Object> parameters) throws Exception {
                List<Integer> rests = ((org.apache.camel.model.ModelCamelContext) context).getRestDefinitions().stream()
                        .map(System::identityHashCode).toList();
                if (rendered == null || !rests.equals(renderedFor)) {
                    Processor generated = generator.createApiProcessor(context, contextPath, configuration, parameters);
                    if (generated instanceof CamelContextAware aware) {
                        aware.setCamelContext(context);
                    }
                    org.apache.camel.support.service.ServiceHelper.startService(generated);
                    org.apache.camel.support.service.ServiceHelper.stopService(rendered);
                    rendered = generated;
                    renderedFor = rests;
                }
                return rendered;
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

    static final String WEBHOOKS_PATH = "/webhooks/{source}";
    /**
     * {@code POST /webhooks/{source}}, which is a platform-http route of its own (the raw body is what is verified),
     * not a REST DSL one: described here. No API key: the provider's signature is the credential.
     */
    private static final String WEBHOOKS = """
            {"post": {"tags": ["webhooks"], "operationId": "receive-webhook", "security": [],
              "summary": "A provider's signed event",
              "description": "Verified over the raw bytes by the source's scheme, stored once per provider's event id, then answered; processed asynchronously by the routes that subscribe (webhook:<source>).",
              "parameters": [{"name": "source", "in": "path", "required": true, "description": "A configured webhook source, such as stripe, github, calendly, twilio or a declared name",
                "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"}}],
              "requestBody": {"required": true, "description": "The event exactly as the provider sends it",
                "content": {"application/json": {"schema": {"type": "object"}},
                  "application/x-www-form-urlencoded": {"schema": {"type": "object"}}}},
              "responses": {
                "200": {"description": "Stored (accepted) or already stored (duplicate: the first event's id)",
                  "content": {"application/json": {"schema": {"type": "object", "required": ["id", "status"],
                    "properties": {"id": {"type": "string", "example": "evt_0d07ecbe339c498cb54b97e1ac4ddeec"},
                      "status": {"type": "string", "enum": ["accepted", "duplicate"]}}}}}},
                "400": {"description": "Signature verification failed, or the verified body is not an event of its source", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                "404": {"description": "No webhook source is configured at this path", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                "413": {"description": "The body is larger than HUB_WEBHOOKS_MAX_BODY_BYTES", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                "415": {"description": "The source sends application/json", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                "503": {"description": "The store is unavailable, or the hub holds as many bodies as its memory allows; retry after Retry-After", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}}
            """;

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
        if (root.path("paths") instanceof ObjectNode paths && !paths.has(WEBHOOKS_PATH)) {
            paths.set(WEBHOOKS_PATH, JSON.readTree(WEBHOOKS));
            com.fasterxml.jackson.databind.node.ArrayNode tags = root.has("tags") && root.get("tags").isArray()
                    ? (com.fasterxml.jackson.databind.node.ArrayNode) root.get("tags") : root.putArray("tags");
            tags.addObject().put("name", "webhooks").put("description", "Providers' signed events (no API key)");
        }
        tidy(root);
        return JSON.writeValueAsString(root);
    }
}
