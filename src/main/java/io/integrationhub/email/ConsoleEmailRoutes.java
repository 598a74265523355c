package io.integrationhub.email;

import java.util.UUID;

import io.integrationhub.delivery.DeliveryResult;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: nothing leaves the machine. The log gets a masked summary; the full message stays readable
 * through {@code GET /api/v1/messages/{id}}.
 */
public class ConsoleEmailRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleEmailRoutes.class);

    @Override
    public void configure() {
        from("direct:email-console").routeId("email-console")
                .errorHandler(noErrorHandler())
                .process(e -> {
                    EmailMessage message = e.getProperty(EmailRoutes.MESSAGE_PROPERTY, EmailMessage.class);
                    String id = "console-" + UUID.randomUUID();
                    LOG.info("Email (console provider, not sent) {}: {}", id, message.maskedSummary());
                    e.getMessage().setBody(new DeliveryResult("email-console", id));
                });
    }
}
