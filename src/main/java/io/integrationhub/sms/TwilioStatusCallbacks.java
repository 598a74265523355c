package io.integrationhub.sms;

import java.util.HashMap;
import java.util.Map;

import io.integrationhub.outbox.Outbox;
import io.integrationhub.webhooks.SignedRequest;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Twilio's status callbacks (the {@code twilio} webhook source, which exists once {@code TWILIO_AUTH_TOKEN} is set)
 * update the SMS they belong to, found by its SID: {@code delivered}, or {@code undelivered} with Twilio's error code
 * (a {@code failed} callback counts as undelivered). The messages API then shows the outcome. Callbacks of other
 * statuses (queued, sent) change nothing; one for a message this hub did not send is ignored.
 */
public class TwilioStatusCallbacks extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(TwilioStatusCallbacks.class);

    @Override
    public void configure() {
        Outbox outbox = getContext().getRegistry().lookupByNameAndType("outbox", Outbox.class);
        from("webhook:twilio?types=message.delivered,message.undelivered,message.failed").routeId("twilio-sms-receipts")
                .process(e -> {
                    Map<String, String> form = form(e.getMessage().getBody(String.class));
                    String sid = form.get("MessageSid");
                    String status = form.get("MessageStatus");
                    if (sid == null || status == null) {
                        return;
                    }
                    boolean delivered = status.equals("delivered");
                    String code = form.get("ErrorCode");
                    String error = delivered ? null : "Twilio reported the message " + status
                            + (code == null ? "" : " (error " + code + ")");
                    if (!outbox.recordReceipt(TwilioSmsRoutes.PROVIDER, sid, delivered, code, error)) {
                        LOG.debug("A Twilio status callback for a message this hub did not send ({}) was ignored", status);
                    }
                });
    }

    /** The callback's form parameters (the last value of a repeated one). */
    static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        SignedRequest.parseForm(body).forEach(parameter -> form.put(parameter.getKey(), parameter.getValue()));
        return form;
    }
}
