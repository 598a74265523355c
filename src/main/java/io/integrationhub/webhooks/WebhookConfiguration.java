package io.integrationhub.webhooks;

import java.time.Clock;

import io.integrationhub.store.StoreConfiguration;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.slf4j.LoggerFactory;

/** The configured webhook sources and the store of received events. */
@Configuration
public class WebhookConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) {
        WebhookSources sources = WebhookSources.load(camelContext);
        camelContext.getRegistry().bind(WebhookSources.BEAN, WebhookSources.class, sources);
        camelContext.getRegistry().bind(WebhookEvents.BEAN, WebhookEvents.class,
                new WebhookEvents(StoreConfiguration.store(camelContext), Clock.systemUTC()));
        if (!sources.names().isEmpty()) {
            LoggerFactory.getLogger(WebhookConfiguration.class).info("Webhook sources: {}", sources.names());
        }
    }
}
