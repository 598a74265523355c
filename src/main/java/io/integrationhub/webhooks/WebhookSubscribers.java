package io.integrationhub.webhooks;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The subscriber routes running now, by route id. */
public final class WebhookSubscribers {

    public static final String BEAN = "webhookSubscribers";

    private final Map<String, WebhookConsumer> running = new ConcurrentHashMap<>();
    private volatile boolean started;

    void add(WebhookConsumer consumer) {
        running.put(consumer.subscriber(), consumer);
    }

    void remove(WebhookConsumer consumer) {
        running.remove(consumer.subscriber(), consumer);
    }

    /** Set once the hub has started every route: before that, a subscriber may not have started yet. */
    void started() {
        started = true;
    }

    /** Each running subscriber route with the source it listens to, by route id. */
    Map<String, String> sources() {
        Map<String, String> sources = new java.util.TreeMap<>();
        running.forEach((subscriber, consumer) -> sources.put(subscriber, consumer.getEndpoint().getSource()));
        return sources;
    }

    boolean isStarted() {
        return started;
    }

    /** The subscribers of an event, by name, in name order. */
    public List<String> of(String source, String type) {
        return running.values().stream().filter(c -> c.getEndpoint().takes(source, type))
                .map(WebhookConsumer::subscriber).sorted().toList();
    }

    Optional<WebhookConsumer> find(String subscriber) {
        return Optional.ofNullable(running.get(subscriber));
    }
}
