package io.integrationhub.channel;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.delivery.InvalidMessageException;
import org.apache.camel.Exchange;

/**
 * Reads what an in-JVM caller (a YAML or Java route) hands {@code direct:send-<c>} or {@code direct:enqueue-<c>}:
 * the message record itself; the request as a map, JSON text or JSON tree; or exchange properties
 * {@code <c><Field>} (which HTTP callers cannot set) with the body as template data. Never headers: they may come
 * from an HTTP caller.
 */
final class ChannelRequests {

    private ChannelRequests() {
    }

    static <M> M read(Channel<M> channel, Exchange e, ObjectMapper json) {
        Map<String, Object> fromProperties = fromProperties(channel, e, json);
        if (!fromProperties.isEmpty()) {
            return channel.parse(json.valueToTree(fromProperties), "");
        }
        Object body = e.getMessage().getBody();
        if (channel.messageType().isInstance(body)) {
            return channel.messageType().cast(body);
        }
        JsonNode node;
        if (body instanceof JsonNode tree) {
            node = tree;
        } else if (body instanceof Map<?, ?>) {
            node = json.valueToTree(body);
        } else if (body instanceof String || body instanceof byte[]) {
            try {
                node = body instanceof String s ? json.readTree(s) : json.readTree((byte[]) body);
            } catch (Exception notJson) {
                throw new InvalidMessageException("body", "is not valid JSON");
            }
        } else {
            throw new InvalidMessageException("body", "must be a " + channel.name() + " message: a JSON object with "
                    + "its fields, or exchange properties " + channel.name() + "To, ...");
        }
        return channel.parse(node, "");
    }

    private static Map<String, Object> fromProperties(Channel<?> channel, Exchange e, ObjectMapper json) {
        Map<String, Object> request = new LinkedHashMap<>();
        for (String field : channel.fields()) {
            Object value = e.getProperty(channel.name() + Character.toUpperCase(field.charAt(0)) + field.substring(1));
            if (value != null) {
                request.put(field, value);
            }
        }
        Object body = e.getMessage().getBody();
        if (request.containsKey("template") && body != null) {
            try {
                request.put("data", body instanceof Map<?, ?> ? body : json.readValue(e.getMessage().getBody(String.class), Map.class));
            } catch (Exception notJson) {
                throw new InvalidMessageException("data", "the body must be a JSON object to fill the template");
            }
        }
        return request;
    }
}
