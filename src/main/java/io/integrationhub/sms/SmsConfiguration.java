package io.integrationhub.sms;

import java.nio.file.Path;
import java.util.List;

import io.integrationhub.Settings;
import io.integrationhub.channel.Channel;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

/** The SMS channel: request parsing (numbers, segments) and templates, checked at start. */
@Configuration
public class SmsConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) {
        String region = Settings.optional(camelContext, "sms.default-region");
        if (!region.isEmpty() && !PhoneNumbers.isValidRegion(region)) {
            throw new IllegalArgumentException("SMS_DEFAULT_REGION must be a region code such as US or GB, not '"
                    + region + "'");
        }
        SmsMessages messages = new SmsMessages(Path.of(Settings.get(camelContext, "sms.templates-folder")), region,
                (int) Settings.number(camelContext, "sms.max-segments"));
        // POST /api/v1/sms, direct:send-sms, direct:enqueue-sms; providers console and Twilio (TwilioSmsRoutes)
        camelContext.getRegistry().bind("smsChannel", new Channel<>("sms", SmsMessage.class, List.of("console", "twilio"),
                List.of("to", "from", "body", "template", "mediaUrls", "tags", "metadata"),
                messages::parse, SmsMessage::maskedSummary));
    }
}
