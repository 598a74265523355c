package io.integrationhub.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.apache.camel.Exchange;

/** Reads API request bodies: JSON only, parsed strictly, with limits on nesting and sizes. */
public final class JsonBodies {

    private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32)
                            .maxStringLength(5_000_000).maxNumberLength(100).build())
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonBodies() {
    }

    /** The strict reader, for YAML routes to unmarshal with ({@code objectMapper: "#bean:hubJson"}). */
    public static ObjectMapper strictMapper() {
        return STRICT;
    }

    /** The request's JSON object; a 415 for another content type, a 400 for anything that is not a JSON object. */
    public static JsonNode readObject(Exchange exchange) {
        String contentType = RequestParameters.header(exchange, Exchange.CONTENT_TYPE);
        String type = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT).replace(" ", "");
        if (!type.equals("application/json") && !type.startsWith("application/json;")) {
            throw new ApiProblem(415, "Unsupported media type", "Content-Type must be application/json");
        }
        byte[] body = RequestParameters.body(exchange);
        if (body == null || body.length == 0) {
            throw ApiProblem.badRequest("body", "is empty; a JSON object is required");
        }
        JsonNode node;
        try {
            node = STRICT.readTree(body);
        } catch (Exception e) {
            throw ApiProblem.badRequest("body", "is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw ApiProblem.badRequest("body", "must be a JSON object");
        }
        return node;
    }

    /** A stable text of the request for idempotency comparisons: the parsed tree, whitespace aside. */
    public static String canonical(JsonNode node) {
        try {
            return STRICT.writeValueAsString(node);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
