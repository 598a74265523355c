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
    private final long maxFileBytes;
    private final RequestBodyBudget bodies;

    ApiKeyAuthenticationHandler(ApiKeys keys, long maxBodyBytes, long maxFileBytes, RequestBodyBudget bodies) {
        this.keys = keys;
        this.maxBodyBytes = maxBodyBytes;
        this.maxFileBytes = maxFileBytes;
        this.bodies = bodies;
    }

    /** File uploads: streamed to disk (never held in memory), up to their own limit, and their length said first. */
    static boolean isFileUpload(HttpServerRequest request) {
        return request.method() == io.vertx.core.http.HttpMethod.PUT && request.path().startsWith("/api/v1/files/");
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
        boolean upload = isFileUpload(request);
        if (upload && length == null && request.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
            ctx.response().setStatusCode(411).putHeader("Content-Type", Problems.CONTENT_TYPE).putHeader("Connection", "close")
                    .end(Problems.body(411, "Length required", "a file upload needs its Content-Length", null));
            return;
        }
        long limit = upload ? maxFileBytes : maxBodyBytes;
        if (length != null && tooLarge(length, limit)) {
            ctx.response().setStatusCode(413).putHeader("Content-Type", Problems.CONTENT_TYPE);
            if (request.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
                // the body is not read: the connection cannot be reused (HTTP/2 forbids the header, ends the stream)
                ctx.response().putHeader("Connection", "close");
            }
            ctx.response().end(Problems.body(413, "Payload too large", "the body is larger than " + limit + " bytes", null));
            return;
        }
        if (!upload && !bodies.admit(ctx)) {
            return;
        }
        // answers carry secrets (a new key) and personal data (messages): no cache on the way may keep them
        ctx.response().putHeader("Cache-Control", "no-store");
        Caller c = caller.get();
        ctx.setUser(User.create(new JsonObject().put("keyId", c.keyId()).put("keyName", c.keyName())
                .put("role", c.role().wireName()).put("allowedFrom", new io.vertx.core.json.JsonArray(c.allowedFrom()))));
        ctx.next();
    }

    private static boolean tooLarge(String length, long limit) {
        try {
            return Long.parseLong(length.trim()) > limit;
        } catch (NumberFormatException e) {
            return true;
        }
    }
}
