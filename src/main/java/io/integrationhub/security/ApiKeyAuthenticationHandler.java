package io.integrationhub.security;

import java.util.Optional;

import io.integrationhub.api.Problems;
import io.integrationhub.edge.RequestBodyBudget;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;

/**
 * Guards {@code /api/*} on the HTTP server itself, before any route (Java or YAML) sees the request: a bearer API
 * key is required, a body announced larger than the limit is refused before it is read, and so is one the
 * {@link RequestBodyBudget} has no room for (503). Every failure gets the
 * same 401 so that nobody learns whether a key exists, was revoked or expired.
 */
final class ApiKeyAuthenticationHandler implements AuthenticationHandler {

    static final String UNAUTHORIZED = Problems.body(401, "Unauthorized",
            "a valid API key is required: Authorization: Bearer <key>", null);

    private final ApiKeys keys;
    private final long maxBodyBytes;
    private final RequestBodyBudget bodies;

    ApiKeyAuthenticationHandler(ApiKeys keys, long maxBodyBytes, RequestBodyBudget bodies) {
        this.keys = keys;
        this.maxBodyBytes = maxBodyBytes;
        this.bodies = bodies;
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String authorization = request.getHeader("Authorization");
        Optional<Caller> caller = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? keys.authenticate(authorization.substring(7).trim()) : Optional.empty();
        if (caller.isEmpty()) {
            ctx.response().setStatusCode(401).putHeader("Content-Type", Problems.CONTENT_TYPE)
                    .putHeader("WWW-Authenticate", "Bearer").end(UNAUTHORIZED);
            return;
        }
        String length = request.getHeader("Content-Length");
        if (length != null && tooLarge(length)) {
            ctx.response().setStatusCode(413).putHeader("Content-Type", Problems.CONTENT_TYPE);
            if (request.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
                // the body is not read: the connection cannot be reused (HTTP/2 forbids the header, ends the stream)
                ctx.response().putHeader("Connection", "close");
            }
            ctx.response().end(Problems.body(413, "Payload too large", "the body is larger than " + maxBodyBytes + " bytes", null));
            return;
        }
        if (!bodies.admit(ctx)) {
            return;
        }
        // answers carry secrets (a new key) and personal data (messages): no cache on the way may keep them
        ctx.response().putHeader("Cache-Control", "no-store");
        Caller c = caller.get();
        ctx.setUser(User.create(new JsonObject().put("keyId", c.keyId()).put("keyName", c.keyName())
                .put("role", c.role().wireName()).put("allowedFrom", new io.vertx.core.json.JsonArray(c.allowedFrom()))));
        ctx.next();
    }

    private boolean tooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > maxBodyBytes;
        } catch (NumberFormatException e) {
            return true;
        }
    }
}
