package io.integrationhub.outbox;

import java.time.Clock;
import java.time.Duration;

import io.integrationhub.Settings;
import io.integrationhub.api.Idempotency;
import io.integrationhub.store.Store;
import io.integrationhub.store.StoreConfiguration;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

/** The outbox and the idempotency keys that guard what goes into it. */
@Configuration
public class OutboxConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) {
        long leaseSeconds = Settings.number(camelContext, "outbox.lease-seconds", 120);
        long retentionHours = Settings.number(camelContext, "hub.idempotency.retention-hours", 24);
        Store store = StoreConfiguration.store(camelContext);
        camelContext.getRegistry().bind("outbox", Outbox.class,
                new Outbox(store, Clock.systemUTC(), Duration.ofSeconds(leaseSeconds)));
        camelContext.getRegistry().bind("idempotency", Idempotency.class,
                new Idempotency(store, Clock.systemUTC(), Duration.ofHours(Math.max(24, retentionHours))));
    }
}
