package io.integrationhub.delivery;

import org.apache.camel.Ordered;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.language.ConstantExpression;
import org.apache.camel.spi.CircuitBreakerConstants;

/**
 * The one guarded way to call a provider, as a route template ({@value #TEMPLATE}) that every channel and transport
 * instantiates per configured provider: {@code direct:guarded-<provider>} throttles to the provider's rate and runs
 * the call to {@code direct:<provider>} inside the provider's Resilience4j circuit breaker (bean
 * {@code breaker-<provider>}, see {@link CircuitBreakers}). While the breaker is open the provider is not called and
 * {@link ProviderUnavailableException} is thrown, so the caller can fall back or wait. Failures pass through
 * unchanged, already classified by the provider's route ({@link DeliveryException}).
 */
public class ProviderGuard extends RouteBuilder {

    public static final String TEMPLATE = "provider-guard";
    /** The provider being called, on the exchange while the guard runs. */
    public static final String PROVIDER = "hubProvider";

    public static String guarded(String provider) {
        return "direct:guarded-" + provider;
    }

    /** Templates first: the channels' routes instantiate this one. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST + 1000;
    }

    @Override
    public void configure() {
        routeTemplate(TEMPLATE)
                .templateParameter("provider", null, "the provider's name, e.g. sms-twilio: its route is direct:<provider>")
                .templateParameter("rate", null, "requests per second the provider is sent at most")
                .templateParameter("breaker", null, "the bean name of the provider's Resilience4j circuit breaker")
                .from("direct:guarded-{{provider}}")
                .errorHandler(noErrorHandler())
                .setProperty(PROVIDER, new ConstantExpression("{{provider}}"))
                .throttle(new ConstantExpression("{{rate}}")).totalRequestsMode().timePeriodMillis(1000)
                // the breaker leaves this set after a failed call and does not clear it after a successful one: a
                // stale value from an earlier call on this exchange would turn this call's success into "open"
                .removeProperty(CircuitBreakerConstants.RESPONSE_SHORT_CIRCUITED)
                .circuitBreaker()
                    .resilience4jConfiguration().circuitBreaker("{{breaker}}").end()
                    .to("direct:{{provider}}")
                .end()
                .process(exchange -> {
                    if (Boolean.TRUE.equals(exchange.getProperty(CircuitBreakerConstants.RESPONSE_SHORT_CIRCUITED, Boolean.class))) {
                        exchange.removeProperty(CircuitBreakerConstants.RESPONSE_SHORT_CIRCUITED);
                        throw new ProviderUnavailableException(exchange.getProperty(PROVIDER, String.class), null);
                    }
                });
    }
}
