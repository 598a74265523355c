package io.integrationhub.email;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.Settings;
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
        camelContext.getRegistry().bind("emailChannel", new EmailChannel(new EmailMessages(new ObjectMapper(),
                new EmailTemplates(Path.of(Settings.get(camelContext, "email.templates-folder"))), from,
                (int) Settings.number(camelContext, "email.max-recipients"),
                (int) Settings.number(camelContext, "email.max-content-chars"))));
    }
}
