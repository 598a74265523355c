package io.integrationhub.edge;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.integrationhub.ContextEvents;
import io.integrationhub.Settings;
import io.integrationhub.api.HttpErrors;
import io.integrationhub.api.Problems;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.spi.CamelEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's HTTP edge: the embedded servers (Camel's platform-http on Vert.x) run on a Vert.x instance of the hub's
 * own, bound in the registry before they start, so every server it creates gets the idle timeout, read deadlines
 * for headers and bodies, and problem+json answers to requests it cannot read. A server that could not bind its
 * port stops the start: a hub without its HTTP server must not go on dispatching as if it were healthy.
 */
@Configuration
public class HttpEdge implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(HttpEdge.class);

    @Override
    public void configure(CamelContext camelContext) {
        int idleSeconds = (int) Settings.number(camelContext, "hub.http.idle-timeout-seconds");
        long headerMillis = Settings.number(camelContext, "hub.http.header-timeout-seconds") * 1000;
        long bodyMillis = Settings.number(camelContext, "hub.http.body-timeout-seconds") * 1000;
        ClientHangUps.install();
        // the threads that run the routes of requests (each request's route runs on one, start to answer); a request
        // waiting for the store holds its thread, so there are more of them than cores
        int workerThreads = (int) Settings.number(camelContext, "hub.http.worker-threads");
        Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setWorkerPoolSize(workerThreads));
        List<String> failures = new CopyOnWriteArrayList<>();
        camelContext.getRegistry().bind("hubVertx", Vertx.class, edgeVertx(vertx, idleSeconds, headerMillis, bodyMillis, failures));
        ContextEvents.listen(camelContext, event -> {
            if (event instanceof CamelEvent.CamelContextStoppedEvent) {
                closeVertx(vertx);
            }
        });
        long maxBodyBytes = Settings.number(camelContext, "hub.api.max-body-bytes");
        try {
            camelContext.addStartupListener(new StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                    if (!failures.isEmpty()) {
                        throw new IllegalStateException(String.join("; ", failures)
                                + " (is the port taken? HUB_PORT, HUB_MANAGEMENT_PORT, HUB_BIND_ADDRESS)");
                    }
                    MainHttpServer server = context.hasService(MainHttpServer.class);
                    if (server != null && server.getRouter() != null) {
                        installRequestHook(server.getRouter().getServer().getServer());
                        // webhook bodies share the memory budget of the API's (which the /api guard applies)
                        RequestBodyBudget bodies = RequestBodyBudget.of(context);
                        server.getRouter().route("/webhooks/*").order(Integer.MIN_VALUE + 1).handler(ctx -> {
                            if (bodies.admit(ctx)) {
                                ctx.next();
                            }
                        });
                        // uploads through signed file URLs: their length said first, and within the files' limit,
                        // before the server spools a byte of them
                        long maxFileBytes = Settings.number(context, "files.max-bytes");
                        server.getRouter().route("/files/*").order(Integer.MIN_VALUE + 1).handler(ctx -> {
                            if (ctx.request().method() == io.vertx.core.http.HttpMethod.PUT) {
                                String length = ctx.request().getHeader("Content-Length");
                                long declared = -1;
                                try {
                                    declared = length == null ? -1 : Long.parseLong(length.trim());
                                } catch (NumberFormatException bad) {
                                    declared = Long.MAX_VALUE;
                                }
                                if (declared < 0 || declared > maxFileBytes) {
                                    int status = declared < 0 ? 411 : 413;
                                    ctx.response().setStatusCode(status).putHeader("Content-Type", Problems.CONTENT_TYPE)
                                            .putHeader("Connection", "close").end(Problems.body(status,
                                                    status == 411 ? "Length required" : "Payload too large",
                                                    status == 411 ? "a file upload needs its Content-Length"
                                                            : "the file is larger than " + maxFileBytes + " bytes", null));
                                    return;
                                }
                            }
                            ctx.next();
                        });
                    }
                    // a management server of its own (HUB_MANAGEMENT_PORT): the same answers and read deadlines
                    ManagementHttpServer management = context.hasService(ManagementHttpServer.class);
                    if (management != null && management.getRouter() != null && server != null
                            && management.getRouter().getServer() != server.getRouter().getServer()) {
                        HttpErrors.install(management.getRouter(), maxBodyBytes, context);
                        installRequestHook(management.getRouter().getServer().getServer());
                    }
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Ends the header deadline when a request reaches the router, and the body deadline when its body has been read. */
    public static void installRequestHook(HttpServer server) {
        if (server == null || !(server.requestHandler() instanceof Router root)) {
            return;
        }
        root.route().order(Integer.MIN_VALUE).handler(HttpEdge::requestReceived);
    }

    private static void requestReceived(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.connection() instanceof ConnectionBase connection
                && connection.channel().pipeline().get(ReadDeadlines.NAME) instanceof ReadDeadlines deadlines) {
            if (request.version() == HttpVersion.HTTP_2) {
                // upgraded to h2c: HTTP/2 has its own framing; the idle timeout still applies
                connection.channel().pipeline().remove(deadlines);
            } else {
                boolean pending = !request.isEnded();
                deadlines.requestReceived(pending);
                if (pending) {
                    request.end().onComplete(done -> deadlines.done());
                }
            }
        }
        ctx.next();
    }

    /**
     * The server, with its {@code listen(port, host, handler)} watched: a failure to bind is kept for the start-up
     * check (and not thrown from the event loop, where it would only be logged).
     */
    private static HttpServer listenWatched(HttpServer server, String defaultHost, List<String> failures) {
        Handler<HttpServerRequest>[] requests = newHandlerSlot();
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("requestHandler")) {
                if (args == null || args.length == 0) {
                    return requests[0];
                }
                @SuppressWarnings("unchecked")
                Handler<HttpServerRequest> routes = (Handler<HttpServerRequest>) args[0];
                requests[0] = routes;
                server.requestHandler(routes == null ? null : request -> {
                    MetricsAccept.normalize(request);
                    MediaTypeCase.lower(request);
                    io.integrationhub.webhooks.RawWebhookBodies.keep(request);
                    routes.handle(request);
                });
                return proxy;
            }
            if (method.getName().equals("listen") && args != null && args.length == 3 && args[0] instanceof Integer port
                    && args[1] instanceof String host && args[2] instanceof Handler<?> callback) {
                @SuppressWarnings("unchecked")
                Handler<AsyncResult<HttpServer>> done = (Handler<AsyncResult<HttpServer>>) callback;
                server.listen(port, host, result -> {
                    if (result.failed()) {
                        failures.add("The HTTP server could not listen on " + host + ":" + port + ": "
                                + result.cause().getMessage());
                    }
                    try {
                        done.handle(result.map(proxy == null ? server : (HttpServer) proxy));
                    } catch (RuntimeException e) {
                        if (result.succeeded()) {
                            throw e;
                        }
                    }
                });
                return proxy;
            }
            try {
                Object value = method.invoke(server, args);
                return value == server ? proxy : value;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (HttpServer) Proxy.newProxyInstance(HttpEdge.class.getClassLoader(), new Class<?>[] {HttpServer.class}, handler);
    }

    @SuppressWarnings("unchecked")
    private static Handler<HttpServerRequest>[] newHandlerSlot() {
        return (Handler<HttpServerRequest>[]) new Handler<?>[1];
    }

    private static Vertx edgeVertx(Vertx vertx, int idleSeconds, long headerMillis, long bodyMillis, List<String> failures) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("createHttpServer") && args != null && args.length == 1
                    && args[0] instanceof HttpServerOptions options) {
                return listenWatched(configure(vertx.createHttpServer(harden(options, idleSeconds)), headerMillis, bodyMillis),
                        options.getHost(), failures);
            }
            try {
                return method.invoke(vertx, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Vertx) Proxy.newProxyInstance(HttpEdge.class.getClassLoader(), new Class<?>[] {VertxInternal.class}, handler);
    }

    private static HttpServerOptions harden(HttpServerOptions options, int idleSeconds) {
        return new HttpServerOptions(options).setIdleTimeout(idleSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS);
    }

    private static HttpServer configure(HttpServer server, long headerMillis, long bodyMillis) {
        server.connectionHandler(connection -> watch(connection, headerMillis, bodyMillis));
        server.invalidRequestHandler(HttpEdge::unreadable);
        return server;
    }

    private static void watch(HttpConnection connection, long headerMillis, long bodyMillis) {
        if (connection instanceof ConnectionBase base && base.channel().pipeline().get("httpDecoder") != null
                && base.channel().pipeline().get(ReadDeadlines.NAME) == null) {
            base.channel().pipeline().addFirst(ReadDeadlines.NAME, new ReadDeadlines(headerMillis, bodyMillis));
        }
    }

    /** A request the server could not parse: 414, 431 or 400 as problem+json, and the connection closed. */
    private static void unreadable(HttpServerRequest request) {
        Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
        String message = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
        int status;
        String title;
        String detail;
        if (cause instanceof TooLongFrameException && message.startsWith("An HTTP line is larger than")) {
            status = 414;
            title = "URI too long";
            detail = "the request line is longer than the server reads";
        } else if (cause instanceof TooLongFrameException && message.startsWith("HTTP header is larger than")) {
            status = 431;
            title = "Request header fields too large";
            detail = "the request headers are larger than the server reads";
        } else {
            status = 400;
            title = "Bad request";
            detail = "the request line or a header is malformed";
        }
        LOG.debug("Refused a request the server could not read ({}): {}", status, message);
        request.response().setStatusCode(status).putHeader("Content-Type", Problems.CONTENT_TYPE)
                .putHeader("Connection", "close").end(Problems.body(status, title, detail, null))
                .onComplete(done -> request.connection().close());
    }

    private static void closeVertx(Vertx vertx) {
        CountDownLatch closed = new CountDownLatch(1);
        vertx.close().onComplete(done -> closed.countDown());
        try {
            closed.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
