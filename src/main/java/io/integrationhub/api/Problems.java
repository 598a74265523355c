package io.integrationhub.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.delivery.FieldError;
import org.apache.camel.Exchange;

/** RFC 9457 problem details: {@code application/problem+json} with the offending fields named. */
public final class Problems {

    public static final String CONTENT_TYPE = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Problems() {
    }

    public static String body(int status, String title, String detail, List<FieldError> errors) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status);
        if (detail != null) {
            problem.put("detail", shorten(detail, 500));
        }
        if (errors != null && !errors.isEmpty()) {
            problem.put("errors", errors.stream().limit(100)
                    .map(e -> Map.of("field", shorten(e.field(), 100), "message", shorten(e.message(), 300)))
                    .toList());
        }
        try {
            return JSON.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void respond(Exchange exchange, int status, String title, String detail, List<FieldError> errors) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, CONTENT_TYPE);
        exchange.getMessage().setBody(body(status, title, detail, errors));
    }

    public static void respond(Exchange exchange, ApiProblem problem) {
        respond(exchange, problem.status(), problem.title(), problem.getMessage(), problem.errors());
        if (problem.retryAfter() != null) {
            exchange.getMessage().setHeader("Retry-After", Math.max(1, (problem.retryAfter().toMillis() + 999) / 1000));
        }
    }

    private static String shorten(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max) + "...";
    }
}
