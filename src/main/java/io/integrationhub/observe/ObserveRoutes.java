package io.integrationhub.observe;

import java.util.ArrayList;
import java.util.List;

import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.integrationhub.ContextEvents;
import io.integrationhub.channel.Channel;
import io.integrationhub.channel.ChannelRoutes;
import io.integrationhub.delivery.CircuitBreakers;
import io.integrationhub.outbox.OutboxChannel;
import io.integrationhub.outbox.OutboxRoutes;
import io.integrationhub.store.Store;
import io.integrationhub.store.StoreConfiguration;
import io.integrationhub.store.StoreMonitor;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyConfiguration;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.RoutePolicyFactory;

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
        leaveOutInnerRoutes();
        ContextEvents.listen(getContext(), event -> {
            if (event instanceof CamelEvent.CamelContextStartedEvent) {
                getContext().getRegistry().findByType(MeterRegistry.class).forEach(registry -> {
                    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers.registry()).bindTo(registry);
                    queue.bindTo(registry);
                });
            }
        });

        from("timer:observe-queue?period={{hub.metrics.queue-refresh-ms}}&delay=1000").routeId("observe-queue")
                .process(e -> queue.refresh());
    }

    /**
     * Route metrics for the routes a message enters by, not for each inner step it passes on the way: per message
     * sent, the outbox's worker ({@code outbox-deliver-<c>}) is counted and timed, and each provider's calls by its
     * breaker ({@code resilience4j_circuitbreaker_calls_*}); the steps between ({@code outbox-<c>},
     * {@code <c>-deliver}, the providers' guards, the console providers) would cost a tenth of the delivery's CPU in
     * metrics alone.
     */
    private void leaveOutInnerRoutes() {
        List<String> inner = new ArrayList<>();
        for (OutboxChannel channel : OutboxRoutes.channels(getContext())) {
            inner.add("outbox-" + channel.name());
        }
        for (Channel<?> channel : ChannelRoutes.channels(getContext())) {
            inner.add(channel.name() + "-deliver");
            inner.add(channel.name() + "-console");
            // the guard of each of the channel's providers (throttle and breaker): the breaker's metrics count its calls
            inner.add("guard-" + channel.name() + "-*");
        }
        for (RoutePolicyFactory factory : getContext().getRoutePolicyFactories()) {
            if (factory instanceof MicrometerRoutePolicyFactory metrics) {
                // a configuration of this hub's own: the factory's default is shared by every Camel in the JVM
                MicrometerRoutePolicyConfiguration shared = metrics.getPolicyConfiguration();
                MicrometerRoutePolicyConfiguration configuration = new MicrometerRoutePolicyConfiguration();
                configuration.setContextEnabled(shared.isContextEnabled());
                configuration.setRouteEnabled(shared.isRouteEnabled());
                configuration.setExcludePattern(String.join(",", inner));
                metrics.setPolicyConfiguration(configuration);
            }
        }
    }
}
