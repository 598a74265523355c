package io.integrationhub.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

/** Writes API responses as JSON, with the status code, and no header of the request echoed back. */
public final class JsonResponses {

    /** Views hold timestamps as ISO-8601 text already, so no date module is needed. */
    public static final ObjectMapper JSON = new ObjectMapper();

    private JsonResponses() {
    }

    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static void respond(Exchange exchange, int status, Object body) {
        respondRaw(exchange, status, body == null ? null : write(body));
    }

    public static void respondRaw(Exchange exchange, int status, String json) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (json != null) {
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        }
        exchange.getMessage().setBody(json);
    }
}
