package io.integrationhub.observe;

import java.util.Map;

import io.integrationhub.store.Store;
import io.integrationhub.store.StoreMonitor;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Ready only while the store answers: without it nothing can be accepted durably. Readiness only: a hub whose
 * database is away is alive (it answers 503 and records its outcomes when the database returns), and restarting it
 * would not bring the database back. Answered from the {@link StoreMonitor}'s last check, never by waiting for one.
 */
public class StoreHealthCheck extends AbstractHealthCheck {

    private final Store store;
    private final StoreMonitor monitor;

    public StoreHealthCheck(Store store, StoreMonitor monitor) {
        super("hub", "store");
        this.store = store;
        this.monitor = monitor;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return true;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("database", store.isPostgres() ? "postgresql" : "embedded");
        String problem = monitor.problem();
        if (problem == null) {
            builder.up();
        } else {
            builder.down().message("the store does not answer: " + problem);
        }
    }
}
