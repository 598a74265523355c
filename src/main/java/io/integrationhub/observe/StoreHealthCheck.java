package io.integrationhub.observe;

import java.sql.Connection;
import java.util.Map;

import io.integrationhub.store.Store;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Ready only while the store answers: without it nothing can be accepted durably. */
public class StoreHealthCheck extends AbstractHealthCheck {

    private final Store store;

    public StoreHealthCheck(Store store) {
        super("hub", "store");
        this.store = store;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("database", store.isPostgres() ? "postgresql" : "embedded");
        try (Connection connection = store.dataSource().getConnection()) {
            if (connection.isValid(2)) {
                builder.up();
            } else {
                builder.down().message("the store does not answer");
            }
        } catch (Exception e) {
            builder.down().message("the store does not answer: " + e.getClass().getSimpleName());
        }
    }
}
