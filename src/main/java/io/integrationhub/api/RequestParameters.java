package io.integrationhub.api;

import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.camel.Exchange;

/**
 * What a route reads of an HTTP request besides its parsed content: query and path parameters, headers, the body's
 * bytes. Query and path parameters are read from the request line itself. The HTTP server also copies them
 * into the message headers, next to the request's own HTTP headers: there a header {@code status: dead} or
 * {@code id: x} would stand in for them. {@link Exchange#HTTP_QUERY} and {@link Exchange#HTTP_PATH} come from the
 * request line, and a client cannot send them as headers (the server's header filter drops {@code Camel*}).
 */
public final class RequestParameters {

    private RequestParameters() {
    }

    /** The one value of a query parameter, decoded; empty when absent; a 400 naming it when given twice or malformed. */
    public static Optional<String> query(Exchange exchange, String name) {
        String query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        if (query == null || query.isEmpty()) {
            return Optional.empty();
        }
        List<String> values = new ArrayList<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq), name);
            if (key.equals(name)) {
                values.add(eq < 0 ? "" : decode(pair.substring(eq + 1), name));
            }
        }
        if (values.size() > 1) {
            throw ApiProblem.badRequest(name, "must be given once");
        }
        return values.stream().findFirst();
    }

    /**
     * The body's bytes (null for none). A body the HTTP server kept in memory (Camel's stream cache, a
     * {@link ByteArrayInputStream}) is copied out at once and rewound for whoever reads it next; the type converter
     * would copy it through two 8 KiB buffers on every request.
     */
    public static byte[] body(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof ByteArrayInputStream memory) {
            byte[] bytes = memory.readAllBytes();
            memory.reset();
            return bytes;
        }
        return exchange.getMessage().getBody(byte[].class);
    }

    /**
     * An HTTP header the API reads. The server copies query parameters into the headers too, so a query parameter
     * of the same name (in any case) is refused rather than read as the header.
     */
    public static String header(Exchange exchange, String name) {
        String query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (decode(eq < 0 ? pair : pair.substring(0, eq), name).equalsIgnoreCase(name)) {
                    throw ApiProblem.badRequest(name, "is an HTTP header, not a query parameter");
                }
            }
        }
        return exchange.getMessage().getHeader(name, String.class);
    }

    /**
     * The value of {@code {name}} in a path template such as {@code /api/v1/messages/{id}/retry}, taken from the
     * request's path; null when the path does not have the template's shape.
     */
    public static String path(Exchange exchange, String template, String name) {
        String path = exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class);
        if (path == null) {
            return null;
        }
        String[] expected = template.split("/", -1);
        String[] actual = path.split("/", -1);
        // the server may give the path with or without the part before the template (a context path)
        int offset = actual.length - expected.length;
        if (offset < 0) {
            return null;
        }
        String value = null;
        for (int i = expected[0].isEmpty() ? 1 : 0; i < expected.length; i++) {
            String segment = actual[i + offset];
            if (expected[i].equals("{" + name + "}")) {
                value = decode(segment, name);
            } else if (!expected[i].startsWith("{") && !expected[i].equals(segment)) {
                return null;
            }
        }
        return value;
    }

    private static String decode(String value, String name) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(name, "is not correctly percent-encoded");
        }
    }

    /** A whole-number query parameter within [min, max]; {@code defaultValue} when absent; else a 400 naming it. */
    public static int number(Exchange exchange, String name, int defaultValue, int min, int max) {
        String value = query(exchange, name).orElse(null);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiProblem.badRequest(name, "must be a whole number from " + min + " to " + max);
    }
}
