package io.integrationhub.delivery;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.CircuitBreakerConstants;

/**
 * The shared way to call a provider: {@code direct:guarded-<provider>} throttles to the provider's published rate
 * and runs the call inside the provider's circuit breaker. While the breaker is open the provider is not called and
 * {@link ProviderUnavailableException} is thrown, so the caller can fall back or wait.
 */
public final class ProviderGuard {

    private ProviderGuard() {
    }

    public static String endpoint(String provider) {
        return "direct:guarded-" + provider;
    }

    /** Adds the guard route of {@code provider} in front of its route {@code direct:<provider>}. */
    public static void configure(RouteBuilder builder, String provider, long requestsPerSecond) {
        String breaker = CircuitBreakers.of(builder.getCamelContext()).register(provider);
        builder.from(endpoint(provider)).routeId("guard-" + provider)
                .errorHandler(builder.noErrorHandler())
                .throttle(requestsPerSecond).totalRequestsMode().timePeriodMillis(1000)
                // the breaker leaves this set after a failed call and does not clear it after a successful one: a
                // stale value from an earlier attempt (a redelivery) would turn this call's success into "open"
                .removeProperty(CircuitBreakerConstants.RESPONSE_SHORT_CIRCUITED)
                .circuitBreaker()
                    .resilience4jConfiguration().circuitBreaker(breaker).end()
                    .to("direct:" + provider)
                .end()
                .process(exchange -> {
                    if (Boolean.TRUE.equals(exchange.getProperty(CircuitBreakerConstants.RESPONSE_SHORT_CIRCUITED, Boolean.class))) {
                        exchange.removeProperty(CircuitBreakerConstants.RESPONSE_SHORT_CIRCUITED);
                        throw new ProviderUnavailableException(provider, null);
                    }
                });
    }
}
