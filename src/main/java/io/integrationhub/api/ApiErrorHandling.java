package io.integrationhub.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.integrationhub.delivery.DeliveryException;
import io.integrationhub.delivery.InvalidMessageException;
import io.integrationhub.delivery.ProviderUnavailableException;
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
