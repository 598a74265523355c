package io.integrationhub.webhooks;

import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;

/** A running subscriber route: known to {@link WebhookSubscribers} while it runs. */
public class WebhookConsumer extends DefaultConsumer {

    private final WebhookSubscribers subscribers;

    WebhookConsumer(WebhookEndpoint endpoint, Processor processor, WebhookSubscribers subscribers) {
        super(endpoint, processor);
        this.subscribers = subscribers;
    }

    @Override
    public WebhookEndpoint getEndpoint() {
        return (WebhookEndpoint) super.getEndpoint();
    }

    /** The subscriber's name: its route's id. */
    public String subscriber() {
        return getRouteId();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        subscribers.add(this);
    }

    @Override
    protected void doStop() throws Exception {
        subscribers.remove(this);
        super.doStop();
    }
}
