package io.integrationhub.payments;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.api.JsonResponses;
import io.integrationhub.delivery.FieldError;
import io.integrationhub.delivery.InvalidMessageException;
import io.integrationhub.delivery.PermanentDeliveryException;

/**
 * The final outcome of a payment operation as stored and replayed: the result, or the refusal (declined, invalid,
 * conflict, not found) that the same request gets again. Only outcomes that are final are kept this way.
 */
final class PaymentOutcomes {

    private static final ObjectMapper JSON = JsonResponses.JSON;

    private PaymentOutcomes() {
    }

    /** Whether a failure is the provider's final answer to this request (kept and replayed). */
    static boolean isFinal(Throwable failure) {
        return failure instanceof PaymentDeclinedException || failure instanceof InvalidMessageException
                || failure instanceof PaymentConflictException || failure instanceof PaymentNotFoundException;
    }

    static String result(Object result) {
        return JsonResponses.write(Map.of("result", result));
    }

    static String failure(RuntimeException failure) {
        Map<String, Object> error = new LinkedHashMap<>();
        if (failure instanceof PaymentDeclinedException declined) {
            error.put("type", "declined");
            error.put("provider", declined.provider());
            error.put("code", declined.code());
            error.put("declineCode", declined.declineCode());
            error.put("providerId", declined.providerId());
        } else if (failure instanceof InvalidMessageException invalid) {
            error.put("type", "invalid");
            error.put("errors", invalid.errors());
        } else if (failure instanceof PaymentConflictException conflict) {
            error.put("type", "conflict");
            error.put("provider", conflict.provider());
            error.put("message", conflict.getMessage().substring(conflict.provider().length() + 2));
        } else if (failure instanceof PaymentNotFoundException missing) {
            error.put("type", "not_found");
            error.put("provider", missing.provider());
            error.put("message", missing.getMessage().substring(missing.provider().length() + 2)
                    .replace(" does not exist", ""));
        } else {
            error.put("type", "failed");
            error.put("provider", failure instanceof PermanentDeliveryException p ? p.provider() : "payments");
            error.put("message", failure.getMessage());
        }
        return JsonResponses.write(Map.of("error", error));
    }

    /** The stored result as its record, or the stored refusal thrown again. */
    static Object replay(PaymentOperation operation, String outcome) {
        try {
            JsonNode node = JSON.readTree(outcome);
            if (node.has("result")) {
                return JSON.treeToValue(node.get("result"), operation.resultType());
            }
            throw failureOf(node.get("error"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable stored payment outcome", e);
        }
    }

    static RuntimeException failureOf(JsonNode error) {
        String provider = error.path("provider").asText("payments");
        return switch (error.path("type").asText()) {
            case "declined" -> new PaymentDeclinedException(provider, error.path("code").asText(),
                    text(error, "declineCode"), text(error, "providerId"));
            case "invalid" -> {
                List<FieldError> errors = new ArrayList<>();
                error.path("errors").forEach(e -> errors.add(new FieldError(e.path("field").asText(), e.path("message").asText())));
                yield new InvalidMessageException(errors);
            }
            case "conflict" -> new PaymentConflictException(provider, error.path("message").asText());
            case "not_found" -> new PaymentNotFoundException(provider, error.path("message").asText());
            default -> new PermanentDeliveryException(provider, error.path("message").asText());
        };
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
