package io.integrationhub.security;

import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Keeps the authenticated caller of an API request on its exchange as a property, before any route step runs. A
 * route (YAML ones do) drops the request's headers before it calls the hub ({@code removeHeaders: "*"}), and with
 * them the edge's record of who called; the property survives, so what the route queues belongs to the app that
 * called it (its messages API shows it) rather than to the route.
 */
final class CallerOnExchange extends EventNotifierSupport {

    CallerOnExchange() {
        // only the creation of exchanges: a listener that took the other exchange events would have Camel make an
        // event object for every message sent to an endpoint and every exchange completed
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.ExchangeCreatedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        Exchange exchange = ((CamelEvent.ExchangeCreatedEvent) event).getExchange();
        Callers.tryOf(exchange);
    }
}
