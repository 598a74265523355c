package io.integrationhub.payments;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import io.integrationhub.Settings;
import io.integrationhub.store.Store;
import io.integrationhub.store.StoreConfiguration;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.slf4j.LoggerFactory;

/**
 * Payments: the provider named by {@code PAYMENT_PROVIDER} ({@code mock}, the embedded default, or {@code stripe}),
 * checked at start, and the record of operations that keeps every one from happening twice.
 */
@Configuration
public class PaymentsConfiguration implements CamelConfiguration {

    public static final List<String> PROVIDERS = List.of("mock", "stripe");
    public static final String PROVIDER_BEAN = "paymentProvider";

    @Override
    public void configure(CamelContext camelContext) {
        String name = Settings.get(camelContext, "payment.provider").toLowerCase(Locale.ROOT);
        if (!PROVIDERS.contains(name)) {
            throw new IllegalArgumentException("PAYMENT_PROVIDER must be one of " + PROVIDERS + ", not '" + name + "'");
        }
        Store store = StoreConfiguration.store(camelContext);
        PaymentProvider provider;
        if (name.equals("stripe")) {
            String key = Settings.optional(camelContext, "stripe.secret-key");
            if (key.isEmpty()) {
                throw new IllegalArgumentException("PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY (sk_test_... or sk_live_..., "
                        + "or a restricted key rk_...)");
            }
            provider = new StripePayments(key, Settings.get(camelContext, "stripe.base-url"),
                    (int) Settings.number(camelContext, "stripe.connect-timeout-ms"),
                    (int) Settings.number(camelContext, "stripe.read-timeout-ms"));
        } else {
            provider = new MockPayments(store, Clock.systemUTC(), pagesBaseUrl(camelContext));
        }
        camelContext.getRegistry().bind(PROVIDER_BEAN, PaymentProvider.class, provider);
        Payments payments = new Payments(store, Clock.systemUTC(), "payments-" + name, camelContext.createProducerTemplate(),
                Duration.ofMillis(Settings.number(camelContext, "payments.request-timeout-ms")),
                Duration.ofHours(Settings.number(camelContext, "payments.reconcile-maximum-age-hours")));
        if (!store.isPostgres()) {
            int pending = payments.releaseAllLeases();
            if (pending > 0) {
                LoggerFactory.getLogger(PaymentsConfiguration.class).warn("{} payment operation(s) were waiting for the "
                        + "provider's answer when the hub last stopped; the provider is asked about them again", pending);
            }
        }
        camelContext.getRegistry().bind(Payments.BEAN, Payments.class, payments);
    }

    /** Where the mock's checkout and portal pages are: the hub's public URL, or this machine's port. */
    static String pagesBaseUrl(CamelContext camelContext) {
        String publicUrl = Settings.optional(camelContext, "hub.public-url");
        return publicUrl.isEmpty() ? "http://localhost:" + Settings.get(camelContext, "hub.port") : publicUrl;
    }
}
