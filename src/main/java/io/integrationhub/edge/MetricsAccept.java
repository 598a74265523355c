package io.integrationhub.edge;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code GET /observe/metrics} with {@code Accept: text/plain} (curl, many scrapers) is served the Prometheus text
 * format. The metrics route declares the exact type it produces, parameters included ({@code text/plain;
 * version=0.0.4; charset=utf-8}), and the router's negotiation refuses a plain {@code text/plain} with 406, and even
 * Prometheus's own header (OpenMetrics first, the text format as its fallback). An Accept that takes the text format
 * in any spelling is read as that exact type before the router sees the request; one that does not is left as asked
 * (406).
 */
final class MetricsAccept {

    static final String PATH = "/observe/metrics";
    static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    private MetricsAccept() {
    }

    static void normalize(HttpServerRequest request) {
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            return;
        }
        String path = request.path();
        if (path == null || !(path.equals(PATH) || path.equals(PATH + "/"))) {
            return;
        }
        String accept = request.getHeader("Accept");
        if (accept == null) {
            return;
        }
        for (String range : accept.split(",")) {
            String type = range.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
            if (type.equals("text/plain") || type.equals("text/*") || type.equals("*/*")) {
                request.headers().set("Accept", TEXT_FORMAT);
                return;
            }
        }
    }
}
