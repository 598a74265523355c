package io.integrationhub.api;

import java.sql.SQLTransientConnectionException;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.integrationhub.delivery.DeliveryException;
import io.integrationhub.delivery.InvalidMessageException;
import io.integrationhub.delivery.ProviderUnavailableException;
import io.integrationhub.store.StoreException;
import org.apache.camel.Exchange;
import org.apache.camel.NoTypeConversionAvailableException;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Error handling for every API route, declared once: refused requests become problem+json 4xx answers; anything
 * unexpected is logged and answered with a 500 that reveals nothing of the cause.
 */
public class ApiErrorHandling extends RouteConfigurationBuilder {

    public static final String ID = "api";
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrorHandling.class);

    /** How soon a caller refused because the store is away may try again. */
    public static final int STORE_RETRY_AFTER_SECONDS = 5;

    /** A 503 with Retry-After for a request the store could not take; the cause is logged, never answered. */
    public static void storeUnavailable(Exchange exchange, Throwable cause) {
        if (cause != null && cause.getCause() == null && cause instanceof StoreException) {
            // refused without trying: the store monitor has logged the outage once
            LOG.debug("Store unavailable in route {}: {}", exchange.getFromRouteId(), cause.getMessage());
        } else {
            LOG.warn("Store unavailable in route {}: {}", exchange.getFromRouteId(), describe(cause));
        }
        Problems.respond(exchange, 503, "Service unavailable",
                "the hub's store is unavailable; nothing was accepted, try again later", null);
        exchange.getMessage().setHeader("Retry-After", STORE_RETRY_AFTER_SECONDS);
    }

    /** The failure and its cause chain in one line: the SQL state and message that made the store fail. */
    static String describe(Throwable failure) {
        StringBuilder line = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            line.append(line.isEmpty() ? "" : "; caused by ").append(t);
        }
        return line.toString();
    }

    @Override
    public void configuration() {
        routeConfiguration(ID)
                .onException(ApiProblem.class).handled(true)
                    .process(e -> Problems.respond(e, e.getProperty(Exchange.EXCEPTION_CAUGHT, ApiProblem.class)))
                .end()
                // a route that unmarshals the request itself (YAML routes do): a body that is not the JSON it
                // expects is the caller's mistake, not the hub's
                .onException(JsonProcessingException.class, NoTypeConversionAvailableException.class).handled(true)
                    .process(e -> Problems.respond(e, ApiProblem.badRequest("body", "is not a valid JSON object")))
                .end()
                .onException(InvalidMessageException.class).handled(true)
                    .process(e -> {
                        InvalidMessageException invalid = e.getProperty(Exchange.EXCEPTION_CAUGHT, InvalidMessageException.class);
                        Problems.respond(e, 422, "Invalid message", "the message has invalid fields", invalid.errors());
                    })
                .end()
                .onException(ProviderUnavailableException.class).handled(true)
                    .process(e -> Problems.respond(e, 503, "Provider unavailable",
                            e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage(), null))
                .end()
                // the store is away (or gave no connection within db.connection-timeout-ms): the request may succeed
                // later, and nothing of it was kept
                .onException(StoreException.class, SQLTransientConnectionException.class).handled(true)
                    .process(e -> storeUnavailable(e, e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)))
                .end()
                .onException(DeliveryException.class).handled(true)
                    .process(e -> Problems.respond(e, 502, "Provider failed",
                            e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage(), null))
                .end()
                .onException(Exception.class).handled(true)
                    .process(e -> {
                        Exception cause = e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
                        LOG.error("Unexpected error in route {}: {}", e.getFromRouteId(), cause.toString());
                        Problems.respond(e, 500, "Internal error", "the hub could not complete the request", null);
                    })
                .end();
    }
}
