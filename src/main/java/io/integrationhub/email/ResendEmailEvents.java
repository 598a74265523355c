package io.integrationhub.email;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.outbox.Outbox;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resend's email events (a {@code resend} webhook source: {@code WEBHOOKS_RESEND_SCHEME=standard} with
 * {@code WEBHOOKS_RESEND_SECRET}) update the email they belong to, found by Resend's id: {@code email.delivered}
 * makes it delivered; {@code email.bounced} undelivered (code {@code bounced}, with Resend's bounce message);
 * {@code email.complained} keeps it delivered with the code {@code complained} (the recipient marked it as spam).
 * One delivery view across channels, beside Twilio's status callbacks for SMS.
 */
public class ResendEmailEvents extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(ResendEmailEvents.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void configure() {
        Outbox outbox = getContext().getRegistry().lookupByNameAndType("outbox", Outbox.class);
        from("webhook:resend?types=email.delivered,email.bounced,email.complained").routeId("resend-email-receipts")
                .process(e -> {
                    JsonNode event = JSON.readTree(e.getMessage().getBody(String.class));
                    String type = event.path("type").asText();
                    String id = event.path("data").path("email_id").asText(null);
                    if (id == null) {
                        return;
                    }
                    boolean recorded = switch (type) {
                        case "email.delivered" -> outbox.recordReceipt(ResendEmailRoutes.PROVIDER, id, true, null, null);
                        case "email.bounced" -> outbox.recordReceipt(ResendEmailRoutes.PROVIDER, id, false, "bounced",
                                "Resend reported a bounce: " + event.path("data").path("bounce").path("message")
                                        .asText("no reason given"));
                        default -> outbox.recordReceipt(ResendEmailRoutes.PROVIDER, id, true, "complained",
                                "the recipient marked the email as spam");
                    };
                    if (!recorded) {
                        LOG.debug("A Resend {} event for an email this hub did not send was ignored", type);
                    }
                });
    }
}
