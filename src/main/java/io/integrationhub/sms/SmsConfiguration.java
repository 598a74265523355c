package io.integrationhub.sms;

import java.nio.file.Path;

import io.integrationhub.Settings;
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
        camelContext.getRegistry().bind("smsChannel", new SmsChannel(new SmsMessages(
                Path.of(Settings.get(camelContext, "sms.templates-folder")), region,
                (int) Settings.number(camelContext, "sms.max-segments"))));
    }
}
