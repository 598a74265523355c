package io.integrationhub.webhooks;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code webhook:<source>[?types=<type>,<prefix>*]}: a route that starts {@code from} it subscribes to the events of
 * that source (all of them, or the listed types; {@code checkout.*} takes every type that starts so). Each subscriber
 * route, known by its route id, gets every matching event once, retried and dead-lettered on its own.
 */
public class WebhookComponent extends DefaultComponent {

    public static final String SCHEME = "webhook";

    private final WebhookSubscribers subscribers;

    public WebhookComponent(WebhookSubscribers subscribers) {
        this.subscribers = subscribers;
    }

    WebhookSubscribers subscribers() {
        return subscribers;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (!WebhookSources.NAME.matcher(remaining).matches()) {
            throw new IllegalArgumentException("webhook:<source>: the source must be lower-case letters, digits and "
                    + "dashes, not '" + remaining + "'");
        }
        WebhookEndpoint endpoint = new WebhookEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
