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
        WebhookSubscribers subscribers = new WebhookSubscribers();
        camelContext.getRegistry().bind(WebhookSubscribers.BEAN, WebhookSubscribers.class, subscribers);
        // from("webhook:<source>?types=..."): a subscriber route
        camelContext.getRegistry().bind(WebhookComponent.SCHEME, org.apache.camel.Component.class,
                new WebhookComponent(subscribers));
        // the outbox channel that carries each event to each subscriber
        camelContext.getRegistry().bind("webhookDeliveries", io.integrationhub.outbox.OutboxChannel.class,
                new WebhookDeliveries());
        if (!sources.names().isEmpty()) {
            LoggerFactory.getLogger(WebhookConfiguration.class).info("Webhook sources: {}", sources.names());
        }
    }

    /**
     * Called once every route has started, the YAML integrations included: from then on events are handed to
     * subscribers (a subscriber not yet started would miss them).
     */
    public static void subscribersStarted(CamelContext camelContext) {
        WebhookSubscribers subscribers = camelContext.getRegistry()
                .lookupByNameAndType(WebhookSubscribers.BEAN, WebhookSubscribers.class);
        WebhookSources sources = camelContext.getRegistry().lookupByNameAndType(WebhookSources.BEAN, WebhookSources.class);
        subscribers.started();
        // an integration (a route file) whose provider is not set up yet: say how to set it up
        subscribers.sources().forEach((subscriber, source) -> {
            org.apache.camel.Route route = camelContext.getRoute(subscriber);
            if (sources.find(source).isEmpty() && route != null && route.getSourceResource() != null) {
                LoggerFactory.getLogger(WebhookConfiguration.class).info("Route {} subscribes to webhook source {}, "
                        + "which is not configured: it receives events once {} is set", subscriber, source,
                        WebhookSources.secretSetting(source));
            }
        });
    }
}
