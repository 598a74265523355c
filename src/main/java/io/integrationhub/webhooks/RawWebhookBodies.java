package io.integrationhub.webhooks;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * A webhook is verified over its body exactly as sent, and the HTTP server would parse a form body into parameters
 * (losing the bytes Twilio signed). Before the server's routes see a {@code POST /webhooks/...}, its Content-Type is
 * set aside in {@link #ORIGINAL_CONTENT_TYPE} and replaced by {@code application/octet-stream}, so the body reaches
 * the route as the bytes received; the route reads the original type back. A client's own header of that name is
 * dropped first.
 */
public final class RawWebhookBodies {

    public static final String ORIGINAL_CONTENT_TYPE = "X-Hub-Webhook-Content-Type";

    private RawWebhookBodies() {
    }

    public static void keep(HttpServerRequest request) {
        String path = request.path();
        if (request.method() != HttpMethod.POST || path == null || !path.startsWith(WebhookRoutes.PATH)) {
            return;
        }
        request.headers().remove(ORIGINAL_CONTENT_TYPE);
        String type = request.getHeader("Content-Type");
        if (type != null) {
            request.headers().set(ORIGINAL_CONTENT_TYPE, type);
        }
        request.headers().set("Content-Type", "application/octet-stream");
    }
}
