package io.integrationhub.webhooks;

import java.io.IOException;
import java.util.HexFormat;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a verified event is, by its source's scheme: the provider's event id (what a repeated delivery is recognized
 * by) and its type (what subscribers choose by).
 */
public record EventIdentity(String id, String type) {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_ID = 255;

    /** The event's id and type; an event without what its scheme requires is an {@link InvalidEventException}. */
    public static EventIdentity of(WebhookSource source, SignedRequest request) throws InvalidEventException {
        return switch (source.scheme()) {
            case "stripe" -> {
                JsonNode body = json(request);
                yield new EventIdentity(required(body.path("id").asText(null), "the body has no id"), body.path("type").asText(null));
            }
            case "standard" -> new EventIdentity(required(StandardWebhooksScheme.id(request), "no webhook-id"),
                    json(request).path("type").asText(null));
            case "github" -> {
                JsonNode body = json(request);
                String event = required(request.header("X-GitHub-Event"), "no X-GitHub-Event header");
                String action = body.path("action").asText(null);
                yield new EventIdentity(required(request.header("X-GitHub-Delivery"), "no X-GitHub-Delivery header"),
                        action == null ? event : event + "." + action);
            }
            case "calendly" -> {
                JsonNode body = json(request);
                String type = body.path("event").asText(null);
                String invitee = body.path("payload").path("uri").asText(null);
                yield new EventIdentity(invitee != null && type != null ? type + ":" + invitee : sha256(request.body()), type);
            }
            case "twilio" -> twilio(request);
            default -> {
                String id = source.idHeader() == null ? null : request.header(source.idHeader());
                String type = null;
                if (looksLikeJson(request)) {
                    type = json(request).path("type").asText(null);
                }
                yield new EventIdentity(id == null || id.isBlank() ? sha256(request.body()) : bounded(id), type);
            }
        };
    }

    private static EventIdentity twilio(SignedRequest request) throws InvalidEventException {
        String token = request.header("I-Twilio-Idempotency-Token");
        String sid = null;
        String status = null;
        String smsStatus = null;
        for (Map.Entry<String, String> parameter : request.formParameters()) {
            switch (parameter.getKey()) {
                case "MessageSid" -> sid = parameter.getValue();
                case "MessageStatus" -> status = parameter.getValue();
                case "SmsStatus" -> smsStatus = parameter.getValue();
                default -> { }
            }
        }
        String type = status != null ? "message." + status
                : "received".equals(smsStatus) || sid != null ? "message.received" : null;
        String id = token != null && !token.isBlank() ? token
                : sid == null ? sha256(request.body()) : sid + (status == null ? "" : ":" + status);
        return new EventIdentity(bounded(id), type);
    }

    private static boolean looksLikeJson(SignedRequest request) {
        String type = request.header("Content-Type");
        return type != null && type.toLowerCase(java.util.Locale.ROOT).contains("json");
    }

    private static JsonNode json(SignedRequest request) throws InvalidEventException {
        try {
            JsonNode node = JSON.readTree(request.body());
            if (node == null || !node.isObject()) {
                throw new InvalidEventException("the body is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new InvalidEventException("the body is not valid JSON");
        }
    }

    private static String required(String value, String problem) throws InvalidEventException {
        if (value == null || value.isBlank()) {
            throw new InvalidEventException(problem);
        }
        if (value.length() > MAX_ID) {
            throw new InvalidEventException("the event id is longer than " + MAX_ID + " characters");
        }
        return value;
    }

    private static String bounded(String id) {
        return id.length() > MAX_ID ? sha256(id.getBytes(java.nio.charset.StandardCharsets.UTF_8)) : id;
    }

    static String sha256(byte[] body) {
        return "sha256:" + HexFormat.of().formatHex(Signatures.sha256(body));
    }

    /** A verified request that is not an event its scheme describes (invalid JSON, no event id): a 400. */
    public static final class InvalidEventException extends Exception {
        public InvalidEventException(String message) {
            super(message, null, false, false);
        }
    }

}
