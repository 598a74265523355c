package io.integrationhub.edge;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.integrationhub.Settings;
import io.integrationhub.api.Problems;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many bytes of request bodies the hub holds at once. A body is read, parsed, copied into a message and written
 * to the store, so each byte received costs several in the heap while its request is in flight: beyond the budget a
 * request is answered 503 with Retry-After before its body is read, instead of the heap running out under load
 * (which would fail requests with 500 and could leave the embedded store unusable). Small bodies are never counted:
 * their cost is negligible, and ordinary requests keep being served while large ones wait their turn.
 */
public final class RequestBodyBudget {

    public static final String BEAN = "requestBodyBudget";
    private static final Logger LOG = LoggerFactory.getLogger(RequestBodyBudget.class);
    /** Bodies announced below this are admitted without counting. */
    public static final long UNCOUNTED_BELOW = 64 * 1024;
    static final String RETRY_AFTER_SECONDS = "1";

    private final long capacity;
    private final long maxBodyBytes;
    private final AtomicLong held = new AtomicLong();

    public RequestBodyBudget(long capacity, long maxBodyBytes) {
        this.capacity = capacity;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * The hub's budget, created on first use ({@code hub.api.in-flight-bodies-heap-percent} of the largest heap this
     * JVM may use): every endpoint that reads bodies shares it.
     */
    public static synchronized RequestBodyBudget of(CamelContext camelContext) {
        RequestBodyBudget existing = camelContext.getRegistry().lookupByNameAndType(BEAN, RequestBodyBudget.class);
        if (existing != null) {
            return existing;
        }
        RequestBodyBudget budget = ofHeap(Settings.number(camelContext, "hub.api.in-flight-bodies-heap-percent"),
                Settings.number(camelContext, "hub.api.max-body-bytes"));
        camelContext.getRegistry().bind(BEAN, RequestBodyBudget.class, budget);
        return budget;
    }

    static RequestBodyBudget ofHeap(long percent, long maxBodyBytes) {
        if (percent < 1 || percent > 50) {
            throw new IllegalArgumentException("hub.api.in-flight-bodies-heap-percent must be from 1 to 50, not " + percent);
        }
        long capacity = Runtime.getRuntime().maxMemory() / 100 * percent;
        LOG.debug("Request bodies in flight: at most {} bytes", capacity);
        return new RequestBodyBudget(capacity, maxBodyBytes);
    }

    public long capacity() {
        return capacity;
    }

    /** Bytes of the bodies admitted and not yet answered. */
    public long held() {
        return held.get();
    }

    /**
     * Admits the request, holding its announced size (a body without Content-Length counts as the largest allowed)
     * until its response ends; or answers it 503 with Retry-After and returns false.
     */
    public boolean admit(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        long size = announced(request);
        if (size < UNCOUNTED_BELOW) {
            return true;
        }
        if (!tryHold(size)) {
            LOG.debug("Refused a body of {} bytes: {} of {} bytes in flight", size, held.get(), capacity);
            ctx.response().setStatusCode(503).putHeader("Content-Type", Problems.CONTENT_TYPE)
                    .putHeader("Retry-After", RETRY_AFTER_SECONDS);
            if (request.version() != HttpVersion.HTTP_2) {
                // the body is not read: the connection cannot be reused (HTTP/2 ends just the stream)
                ctx.response().putHeader("Connection", "close");
            }
            ctx.response().end(Problems.body(503, "Service unavailable",
                    "the hub is holding as many request bodies as its memory allows; nothing was accepted, try again shortly",
                    null));
            return false;
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                held.addAndGet(-size);
            }
        };
        ctx.addEndHandler(done -> release.run());
        return true;
    }

    boolean tryHold(long size) {
        while (true) {
            long now = held.get();
            // one body is always admitted, however large the budget says it is
            if (now > 0 && now + size > capacity) {
                return false;
            }
            if (held.compareAndSet(now, now + size)) {
                return true;
            }
        }
    }

    private long announced(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        if (length != null) {
            try {
                return Math.min(Long.parseLong(length.trim()), maxBodyBytes);
            } catch (NumberFormatException e) {
                return maxBodyBytes;
            }
        }
        boolean hasBody = request.version() == HttpVersion.HTTP_2 ? !request.isEnded()
                : request.getHeader("Transfer-Encoding") != null;
        return hasBody ? maxBodyBytes : 0;
    }
}
