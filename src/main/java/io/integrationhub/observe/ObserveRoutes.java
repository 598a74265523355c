package io.integrationhub.observe;

import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.integrationhub.delivery.CircuitBreakers;
import io.integrationhub.outbox.OutboxChannel;
import io.integrationhub.outbox.OutboxRoutes;
import io.integrationhub.store.Store;
import io.integrationhub.store.StoreConfiguration;
import io.integrationhub.store.StoreMonitor;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.SimpleEventNotifierSupport;

/**
 * What {@code /observe/health} and {@code /observe/metrics} report beyond Camel's own route checks and route
 * metrics: the store, the state of every provider's circuit breaker, and the outbox by channel and status.
 */
public class ObserveRoutes extends RouteBuilder {

    @Override
    public void configure() {
        Store store = StoreConfiguration.store(getContext());
        CircuitBreakers breakers = CircuitBreakers.of(getContext());
        QueueMetrics queue = new QueueMetrics(store, OutboxRoutes.channels(getContext()).stream().map(OutboxChannel::name).toList());
        HealthCheckRegistry health = HealthCheckRegistry.get(getContext());
        if (health != null) {
            health.register(new StoreHealthCheck(store, getContext().getRegistry()
                    .lookupByNameAndType(StoreConfiguration.MONITOR_BEAN, StoreMonitor.class)));
            health.register(new CircuitBreakerHealthCheck(breakers));
        }
        getContext().getManagementStrategy().addEventNotifier(new SimpleEventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.CamelContextStartedEvent) {
                    getContext().getRegistry().findByType(MeterRegistry.class).forEach(registry -> {
                        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers.registry()).bindTo(registry);
                        queue.bindTo(registry);
                    });
                }
            }
        });

        from("timer:observe-queue?period={{hub.metrics.queue-refresh-ms}}&delay=1000").routeId("observe-queue")
                .process(e -> queue.refresh());
    }
}
