package io.integrationhub.email;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.Settings;
import io.integrationhub.channel.Channel;
import io.integrationhub.channel.SenderPolicy;
import io.integrationhub.delivery.FieldError;
import io.integrationhub.security.SenderDomains;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

/** The email channel: request parsing and templates, shared by the API and the in-JVM entries. */
@Configuration
public class EmailConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) {
        String from = Settings.optional(camelContext, "email.from");
        if (!from.isBlank()) {
            try {
                EmailAddress.parse(from); // fail at start, not at the first send
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("EMAIL_FROM " + e.getMessage());
            }
        }
        EmailMessages messages = new EmailMessages(new ObjectMapper(),
                new EmailTemplates(Path.of(Settings.get(camelContext, "email.templates-folder"))), from,
                (int) Settings.number(camelContext, "email.max-recipients"),
                (int) Settings.number(camelContext, "email.max-content-chars"));
        // POST /api/v1/email, direct:send-email, direct:enqueue-email; providers console, SMTP, SendGrid, Resend
        camelContext.getRegistry().bind("emailChannel", new Channel<>("email", EmailMessage.class,
                List.of("console", "smtp", "sendgrid", "resend"),
                List.of("to", "cc", "bcc", "from", "replyTo", "subject", "text", "html", "template", "tags", "metadata"),
                messages::parse, EmailMessage::maskedSummary));
        // a key with allowedFrom sends only from those domains (the default EMAIL_FROM included)
        camelContext.getRegistry().bind("emailSenderPolicy", (SenderPolicy<EmailMessage>) (message, caller, path) ->
                SenderDomains.allows(caller.allowedFrom(), message.from().address()) ? List.of()
                        : List.of(new FieldError(path + "from", "must be an address at " + String.join(", ", caller.allowedFrom())
                        + " (the domains this API key may send from)")));
    }
}
