package io.integrationhub.observe;

import java.util.Map;

import io.integrationhub.delivery.CircuitBreakers;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The state of each provider's circuit breaker ({@code email-sendgrid: OPEN}). An open breaker is a degraded
 * provider, not a hub that is down: messages wait in the outbox or go to the fallback, so the check stays UP and
 * the details say which provider is out.
 */
public class CircuitBreakerHealthCheck extends AbstractHealthCheck {

    private final CircuitBreakers breakers;

    public CircuitBreakerHealthCheck(CircuitBreakers breakers) {
        super("hub", "circuit-breakers");
        this.breakers = breakers;
    }

    @Override
    public boolean isReadiness() {
        return true;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        StringBuilder states = new StringBuilder();
        breakers.registry().getAllCircuitBreakers().stream()
                .sorted(java.util.Comparator.comparing(b -> b.getName()))
                .forEach(b -> {
                    builder.detail(b.getName(), b.getState().name());
                    states.append(states.isEmpty() ? "" : ", ").append(b.getName()).append('=').append(b.getState().name());
                });
        builder.message(states.toString());
        builder.up();
    }
}
