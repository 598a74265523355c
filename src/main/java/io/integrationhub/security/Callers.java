package io.integrationhub.security;

import io.integrationhub.api.ApiProblem;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import org.apache.camel.Exchange;

/** The caller of an API route, as the HTTP edge authenticated it. */
public final class Callers {

    /** Set by Camel from the Vert.x routing context; HTTP clients cannot send it (Camel* headers are filtered). */
    private static final String USER_HEADER = "CamelVertxPlatformHttpAuthenticatedUser";

    private Callers() {
    }

    public static Caller of(Exchange exchange) {
        Caller cached = exchange.getProperty(Caller.PROPERTY, Caller.class);
        if (cached != null) {
            return cached;
        }
        User user = exchange.getMessage().getHeader(USER_HEADER, User.class);
        if (user == null) {
            throw new ApiProblem(401, "Unauthorized", "a valid API key is required: Authorization: Bearer <key>");
        }
        JsonObject principal = user.principal();
        io.vertx.core.json.JsonArray allowedFrom = principal.getJsonArray("allowedFrom");
        Caller caller = new Caller(principal.getString("keyId"), principal.getString("keyName"),
                Role.valueOf(principal.getString("role").toUpperCase()),
                allowedFrom == null ? java.util.List.of() : allowedFrom.stream().map(String::valueOf).toList());
        exchange.setProperty(Caller.PROPERTY, caller);
        return caller;
    }

    /** The caller when the exchange came through the API's key guard; empty for in-JVM callers. */
    public static java.util.Optional<Caller> tryOf(Exchange exchange) {
        if (exchange.getProperty(Caller.PROPERTY) == null && exchange.getMessage().getHeader(USER_HEADER) == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(of(exchange));
    }

    public static Caller requireAdmin(Exchange exchange) {
        Caller caller = of(exchange);
        if (!caller.isAdmin()) {
            throw new ApiProblem(403, "Forbidden", "this operation needs an admin key");
        }
        return caller;
    }
}
