package io.integrationhub.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Requests the HTTP server refuses before any route runs (no such path, a method or Content-Type the route does not
 * take, an Accept it cannot satisfy, a body over the limit sent without Content-Length) get the same
 * {@code application/problem+json} answers as the routes give, instead of Vert.x's empty or HTML pages.
 */
public final class HttpErrors {

    private HttpErrors() {
    }

    /**
     * Installs the answers on the server's root router: Camel's platform-http routes live on a sub-router, and a
     * request no route matched (or whose body handler failed) is answered by the root router's error handlers.
     * False when the root router could not be found.
     */
    public static boolean install(VertxPlatformHttpRouter routes, long maxBodyBytes) {
        HttpServer server = routes.getServer() == null ? null : routes.getServer().getServer();
        if (server == null || !(server.requestHandler() instanceof Router root)) {
            return false;
        }
        root.errorHandler(400, problem(400, "Bad request", "the request could not be read"));
        root.errorHandler(404, problem(404, "Not found", "there is no such resource"));
        root.errorHandler(405, problem(405, "Method not allowed", "this resource does not take that method"));
        root.errorHandler(406, problem(406, "Not acceptable", "responses are application/json"));
        root.errorHandler(413, problem(413, "Payload too large", "the body is larger than " + maxBodyBytes + " bytes"));
        root.errorHandler(415, problem(415, "Unsupported media type", "Content-Type must be application/json"));
        return true;
    }

    private static Handler<RoutingContext> problem(int status, String title, String detail) {
        String body = Problems.body(status, title, detail, null);
        return ctx -> {
            if (ctx.response().ended() || ctx.response().headWritten()) {
                return;
            }
            ctx.response().setStatusCode(status).putHeader("Content-Type", Problems.CONTENT_TYPE);
            if (status == 413) {
                // the rest of the body is not read: the connection cannot be reused
                ctx.response().putHeader("Connection", "close");
            }
            ctx.response().end(body);
        };
    }
}
