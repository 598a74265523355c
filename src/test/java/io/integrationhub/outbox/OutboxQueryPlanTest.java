package io.integrationhub.outbox;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import io.integrationhub.store.Store;
import io.integrationhub.store.StoreConfiguration;
import io.integrationhub.testing.BothStores;
import io.integrationhub.testing.BothStores.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every query of the outbox on a large table is served by an index (V8, V9): the claim, the leases that ran out,
 * the queue metrics (from the index alone) and receipts by the provider's id, asked of the embedded store with the
 * outbox's own query text (SQLite uses a partial index only for a query that states the index's condition).
 */
class OutboxQueryPlanTest {

    @TempDir
    Path dataDir;

    @Test
    void outboxQueriesAreServedByTheirIndexes() throws Exception {
        Store store = StoreConfiguration.open(BothStores.newDatabase(Backend.SQLITE, dataDir), "", "", 2);
        try {
            assertThat(plan(store, "SELECT id FROM outbox_messages " + Outbox.DUE))
                    .contains("USING INDEX outbox_messages_due_by_channel").doesNotContain("TEMP B-TREE");
            assertThat(plan(store, "SELECT id FROM outbox_messages " + Outbox.LEASE_RAN_OUT))
                    .contains("USING INDEX outbox_messages_unfinished");
            assertThat(plan(store, "SELECT channel, status, COUNT(*), MIN(created_at) FROM outbox_messages WHERE "
                    + Outbox.UNFINISHED + " GROUP BY channel, status"))
                    .contains("USING COVERING INDEX outbox_messages_unfinished");
            assertThat(plan(store, "UPDATE outbox_messages SET status = 'delivered' " + Outbox.BY_PROVIDER_ID))
                    .contains("USING INDEX outbox_messages_provider_id");
        } finally {
            store.close();
        }
    }

    private static String plan(Store store, String sql) {
        return store.read(c -> {
            StringBuilder plan = new StringBuilder();
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
                for (int i = 1; i <= ps.getParameterMetaData().getParameterCount(); i++) {
                    ps.setString(i, "x");
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        plan.append(rs.getString("detail")).append('\n');
                    }
                }
            }
            return plan.toString();
        });
    }
}
