package io.integrationhub.webhooks;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.integrationhub.sync.SyncRuns;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import io.integrationhub.testing.WebhookSignatures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Received webhook events and the records of sync runs are personal data too: kept no longer than the retention. */
class WebhookRetentionTest {

    private static final String SECRET = "whsec_retention_test";

    @TempDir
    Path data;

    @Test
    void handledEventsAndFinishedSyncRunsArePurgedAfterTheRetention() {
        // a retention of 0 days, checked every 300 ms: whatever was handled is due at once
        try (TestHub hub = TestHub.start(data, Map.of("stripe.webhook-secret", SECRET, "hub.retention-days", "0",
                "hub.retention-check-ms", "300"))) {
            SyncRuns runs = hub.context().getRegistry().lookupByNameAndType(SyncRuns.BEAN, SyncRuns.class);
            String run = runs.start("retention-test");
            runs.finish(run, SyncRuns.FINISHED, 1, 1, 0, null);
            String body = "{\"id\": \"evt_retention_1\", \"type\": \"customer.updated\", \"data\": {\"object\": {}}}";
            var response = hub.request("POST", "/webhooks/stripe", null, body, "Stripe-Signature",
                    WebhookSignatures.stripe(SECRET, body));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            String id = Json.parse(response.body()).get("id").asText();

            await().atMost(Duration.ofSeconds(10)).until(() -> hub.get("/api/v1/webhooks/events/" + id).statusCode() == 404
                    && runs.runs("retention-test", 10).isEmpty());
        }
    }

    @Test
    void eventsNotYetHandedOnAreNeverPurged() {
        // a store of its own, without a hub: nothing dispatches the event meanwhile
        io.integrationhub.store.Store store = io.integrationhub.store.StoreConfiguration.open(
                "jdbc:sqlite:" + data.resolve("alone.db").toAbsolutePath(), "", "", 2);
        try {
            WebhookEvents events = new WebhookEvents(store, java.time.Clock.systemUTC());
            // stored before the subscribers were known: waiting for the dispatcher
            WebhookEvents.Stored stored = events.store("stripe", new EventIdentity("evt_waiting", "x.y"),
                    "application/json", "{}", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), null, null);
            assertThat(events.purgeHandled(Instant.now().plusSeconds(3600), 100)).isZero();
            assertThat(events.find(stored.id())).isPresent();
        } finally {
            store.close();
        }
    }
}
