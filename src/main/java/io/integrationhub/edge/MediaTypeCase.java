package io.integrationhub.edge;

import java.util.Locale;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * A media type's type and subtype are case-insensitive ({@code Application/JSON} is JSON, RFC 9110 8.3.1), but the
 * router matches a route's {@code consumes} as written and answered such a body 415. The {@code Content-Type}'s type
 * and subtype are lowered before the router sees the request; its parameters are left as sent.
 */
final class MediaTypeCase {

    private MediaTypeCase() {
    }

    static void lower(HttpServerRequest request) {
        String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType == null) {
            return;
        }
        int end = contentType.indexOf(';');
        if (end < 0) {
            end = contentType.length();
        }
        for (int i = 0; i < end; i++) {
            char c = contentType.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                request.headers().set(HttpHeaders.CONTENT_TYPE,
                        contentType.substring(0, end).toLowerCase(Locale.ROOT) + contentType.substring(end));
                return;
            }
        }
    }
}
