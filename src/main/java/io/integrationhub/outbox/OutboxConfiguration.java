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
import org.slf4j.LoggerFactory;

/** The outbox and the idempotency keys that guard what goes into it. */
@Configuration
public class OutboxConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) {
        long leaseSeconds = Settings.number(camelContext, "outbox.lease-seconds");
        long retentionHours = Settings.number(camelContext, "hub.idempotency.retention-hours");
        Store store = StoreConfiguration.store(camelContext);
        Outbox outbox = new Outbox(store, Clock.systemUTC(), Duration.ofSeconds(leaseSeconds));
        if (!store.isPostgres()) {
            int released = outbox.releaseAllLeases();
            if (released > 0) {
                LoggerFactory.getLogger(OutboxConfiguration.class)
                        .warn("{} message(s) were being delivered when the hub last stopped; they are sent again", released);
            }
        }
        camelContext.getRegistry().bind("outbox", Outbox.class, outbox);
        camelContext.getRegistry().bind("idempotency", Idempotency.class,
                new Idempotency(store, Clock.systemUTC(), Duration.ofHours(Math.max(24, retentionHours))));
    }
}
