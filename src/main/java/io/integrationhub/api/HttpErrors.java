package io.integrationhub.api;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.HttpEndpointModel;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests the HTTP server refuses before any route runs (no such path, a method or Content-Type the route does not
 * take, an Accept it cannot satisfy, a body over the limit sent without Content-Length) get the same
 * {@code application/problem+json} answers as the routes give, instead of Vert.x's empty or HTML pages.
 */
public final class HttpErrors {

    private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

    private HttpErrors() {
    }

    /**
     * Installs the answers on the server's root router: Camel's platform-http routes live on a sub-router, and a
     * request no route matched (or whose body handler failed) is answered by the root router's error handlers.
     * False when the root router could not be found.
     */
    public static boolean install(VertxPlatformHttpRouter routes, long maxBodyBytes) {
        return install(routes, maxBodyBytes, null);
    }

    /** As above; with the context, a 405 names in {@code Allow} the methods the path takes. */
    public static boolean install(VertxPlatformHttpRouter routes, long maxBodyBytes, CamelContext context) {
        HttpServer server = routes.getServer() == null ? null : routes.getServer().getServer();
        if (server == null || !(server.requestHandler() instanceof Router root)) {
            return false;
        }
        root.errorHandler(400, problem(400, "Bad request", "the request could not be read"));
        root.errorHandler(404, problem(404, "Not found", "there is no such resource"));
        Handler<RoutingContext> notAllowed = problem(405, "Method not allowed", "this resource does not take that method");
        root.errorHandler(405, ctx -> {
            String allow = context == null ? "" : allowed(context, ctx.request().path());
            if (!allow.isEmpty() && !ctx.response().headWritten()) {
                ctx.response().putHeader("Allow", allow);
            }
            notAllowed.handle(ctx);
        });
        Handler<RoutingContext> failed = problem(500, "Internal server error", "the request could not be handled");
        Handler<RoutingContext> unhandled = ctx -> {
            if (clientWentAway(ctx)) {
                LOG.debug("A client went away before its request was read: {}", String.valueOf(ctx.failure()));
                return;
            }
            LOG.error("The HTTP server could not handle {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
            failed.handle(ctx);
        };
        // a handler's failure; a client hanging up mid-body reaches the router as a failure with status 200
        root.errorHandler(500, unhandled);
        root.errorHandler(200, unhandled);
        root.errorHandler(406, problem(406, "Not acceptable", "responses are application/json"));
        root.errorHandler(413, problem(413, "Payload too large", "the body is larger than " + maxBodyBytes + " bytes"));
        root.errorHandler(415, problem(415, "Unsupported media type", "Content-Type must be application/json"));
        return true;
    }

    /** The methods the hub's routes take on {@code path}, as an {@code Allow} value ("" when none is known). */
    static String allowed(CamelContext context, String path) {
        if (!(context.hasComponent("platform-http") instanceof PlatformHttpComponent component) || path == null) {
            return "";
        }
        Set<String> methods = new TreeSet<>();
        Set<HttpEndpointModel> endpoints = new LinkedHashSet<>(component.getHttpEndpoints());
        endpoints.addAll(component.getHttpManagementEndpoints());
        for (HttpEndpointModel endpoint : endpoints) {
            if (endpoint.getVerbs() != null && template(endpoint.getUri()).matcher(path).matches()) {
                for (String verb : endpoint.getVerbs().split(",")) {
                    if (!verb.isBlank()) {
                        methods.add(verb.trim().toUpperCase(Locale.ROOT));
                    }
                }
            }
        }
        return String.join(", ", methods);
    }

    /** A route's URI ({@code /api/v1/keys/{id}}, maybe with scheme and host) as a pattern for request paths. */
    private static Pattern template(String uri) {
        String path = uri.replaceFirst("^[a-z]+://[^/]*", "");
        StringBuilder regex = new StringBuilder();
        Matcher variable = Pattern.compile("\\{[^}/]*}").matcher(path);
        int last = 0;
        while (variable.find()) {
            regex.append(Pattern.quote(path.substring(last, variable.start()))).append("[^/]+");
            last = variable.end();
        }
        regex.append(Pattern.quote(path.substring(last)));
        return Pattern.compile(regex + "/?");
    }

    private static boolean clientWentAway(RoutingContext ctx) {
        if (ctx.response().closed()) {
            return true;
        }
        for (Throwable t = ctx.failure(); t != null; t = t.getCause()) {
            if (t instanceof HttpClosedException || t instanceof java.nio.channels.ClosedChannelException
                    || (t instanceof IOException && t.getMessage() != null
                    && (t.getMessage().contains("Connection reset") || t.getMessage().contains("Broken pipe")))) {
                return true;
            }
        }
        return false;
    }

    private static Handler<RoutingContext> problem(int status, String title, String detail) {
        String body = Problems.body(status, title, detail, null);
        return ctx -> {
            if (ctx.response().ended() || ctx.response().headWritten()) {
                return;
            }
            ctx.response().setStatusCode(status).putHeader("Content-Type", Problems.CONTENT_TYPE);
            if (status == 413 && ctx.request().version() != HttpVersion.HTTP_2) {
                // the rest of the body is not read: the connection cannot be reused (HTTP/1.x only: HTTP/2 forbids
                // the header, and ends just the stream)
                ctx.response().putHeader("Connection", "close");
            }
            ctx.response().end(body);
        };
    }
}
