package io.integrationhub.sync;

import java.time.Clock;

import io.integrationhub.store.StoreConfiguration;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

/** {@code from("sync:<name>?...")}: scheduled syncs of paged APIs, their leases and runs in the store. */
@Configuration
public class SyncConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) {
        SyncRuns runs = new SyncRuns(StoreConfiguration.store(camelContext), Clock.systemUTC());
        camelContext.getRegistry().bind(SyncRuns.BEAN, SyncRuns.class, runs);
        camelContext.getRegistry().bind(SyncComponent.SCHEME, org.apache.camel.Component.class, new SyncComponent(runs));
    }
}
