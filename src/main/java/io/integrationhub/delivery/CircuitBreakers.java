package io.integrationhub.delivery;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.integrationhub.Settings;
import org.apache.camel.CamelContext;

/**
 * One Resilience4j circuit breaker per configured provider, with explicit thresholds from
 * {@code breaker.<channel>-<provider>.*}
 * (falling back to {@code breaker.*}). The breakers are beans ({@code breaker-<provider>}) that the Camel
 * circuit breaker EIP references, so health checks and metrics read the very breakers the routes use.
 * A provider refusing a message (a permanent failure) says nothing about its health and is not counted.
 */
public final class CircuitBreakers {

    public static final String BEAN = "circuitBreakers";

    private final CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
    private final Map<String, Duration> openWaits = new ConcurrentHashMap<>();
    private final CamelContext camelContext;

    public CircuitBreakers(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    public static CircuitBreakers of(CamelContext camelContext) {
        synchronized (CircuitBreakers.class) {
            CircuitBreakers existing = camelContext.getRegistry().lookupByNameAndType(BEAN, CircuitBreakers.class);
            if (existing == null) {
                existing = new CircuitBreakers(camelContext);
                camelContext.getRegistry().bind(BEAN, CircuitBreakers.class, existing);
            }
            return existing;
        }
    }

    public static String beanName(String provider) {
        return "breaker-" + provider;
    }

    /** Creates (once) and registers the breaker of a provider; returns its bean name. */
    public String register(String provider) {
        return register(provider, Map.of());
    }

    /**
     * As {@link #register(String)}, with thresholds of its own ({@code failure-rate-threshold},
     * {@code minimum-number-of-calls}, ...) over the settings; the first registration of a provider decides them.
     */
    public String register(String provider, Map<String, Long> thresholds) {
        CircuitBreaker breaker = registry.circuitBreaker(provider, () -> config(provider, thresholds));
        camelContext.getRegistry().bind(beanName(provider), CircuitBreaker.class, breaker);
        return beanName(provider);
    }

    public Optional<CircuitBreaker> find(String provider) {
        return registry.find(provider);
    }

    public CircuitBreakerRegistry registry() {
        return registry;
    }

    /** How long the breaker of a provider stays open before it lets a trial call through. */
    public Duration openWait(String provider) {
        return openWaits.getOrDefault(provider, Duration.ofSeconds(30));
    }

    private CircuitBreakerConfig config(String provider, Map<String, Long> thresholds) {
        java.util.function.ToLongFunction<String> setting = name -> thresholds.containsKey(name)
                ? thresholds.get(name) : setting(provider, name);
        Duration wait = Duration.ofSeconds(setting.applyAsLong("wait-duration-in-open-state-seconds"));
        openWaits.put(provider, wait);
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize((int) setting.applyAsLong("sliding-window-size"))
                .minimumNumberOfCalls((int) setting.applyAsLong("minimum-number-of-calls"))
                .failureRateThreshold(setting.applyAsLong("failure-rate-threshold"))
                .waitDurationInOpenState(wait)
                .permittedNumberOfCallsInHalfOpenState((int) setting.applyAsLong("permitted-calls-in-half-open-state"))
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordException(DeliveryFailures::countsAgainstProvider)
                .build();
    }

    private long setting(String provider, String name) {
        String key = "breaker." + provider + "." + name;
        return Settings.parseNumber(key, Settings.first(camelContext, key, "breaker." + name));
    }
}
