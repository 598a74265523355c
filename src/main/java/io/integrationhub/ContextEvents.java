package io.integrationhub;

import java.util.function.Consumer;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.SimpleEventNotifierSupport;

/**
 * Listeners to the CamelContext's own events (started, stopping, stopped). Each says it takes no exchange, step,
 * route or service events: while any listener takes them, Camel makes an event object for every exchange created,
 * every message sent to an endpoint and every exchange completed, and offers each to every listener.
 */
public final class ContextEvents {

    private ContextEvents() {
    }

    /** Calls {@code listener} with each of the context's own events. */
    public static void listen(CamelContext context, Consumer<CamelEvent> listener) {
        SimpleEventNotifierSupport notifier = new SimpleEventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                listener.accept(event);
            }
        };
        notifier.setIgnoreExchangeEvents(true);
        notifier.setIgnoreStepEvents(true);
        notifier.setIgnoreRouteEvents(true);
        notifier.setIgnoreServiceEvents(true);
        context.getManagementStrategy().addEventNotifier(notifier);
    }
}
