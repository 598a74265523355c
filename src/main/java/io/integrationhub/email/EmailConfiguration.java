package io.integrationhub.email;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.Settings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

/** Email request parsing and templates, shared by the API and {@code direct:send-email}. */
@Configuration
public class EmailConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) {
        String from = Settings.get(camelContext, "email.from", "");
        int maxRecipients = (int) Settings.number(camelContext, "email.max-recipients", 50);
        int maxContentChars = (int) Settings.number(camelContext, "email.max-content-chars", 1_000_000);
        String templatesFolder = Settings.get(camelContext, "email.templates-folder", "templates/email");
        if (!from.isBlank()) {
            try {
                EmailAddress.parse(from); // fail at start, not at the first send
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("EMAIL_FROM " + e.getMessage());
            }
        }
        camelContext.getRegistry().bind("emailMessages", EmailMessages.class, new EmailMessages(new ObjectMapper(),
                new EmailTemplates(Path.of(templatesFolder)), from, maxRecipients, maxContentChars));
    }
}
