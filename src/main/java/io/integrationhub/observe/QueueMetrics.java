package io.integrationhub.observe;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.integrationhub.outbox.Outbox;
import io.integrationhub.store.Store;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

/**
 * The outbox as metrics: messages waiting, being sent and dead, by channel and status, and the age of the oldest
 * message not yet delivered per channel. Read from the store by {@link #refresh()} on a timer, so a scrape never
 * waits for the database (and never fails when it is away: the last reading stays).
 */
final class QueueMetrics {

    /** Statuses worth watching; sent and delivered counts come from the routes' own metrics. */
    private static final List<String> STATUSES = List.of("queued", "failed", "sending", "dead");

    private final Store store;
    private final List<String> channels;
    private MultiGauge messages;
    private volatile Map<String, Long> counts = Map.of();
    private volatile Map<String, Double> oldestAgeSeconds = Map.of();

    QueueMetrics(Store store, List<String> channels) {
        this.store = store;
        this.channels = List.copyOf(channels);
    }

    void bindTo(MeterRegistry registry) {
        messages = MultiGauge.builder("hub.outbox.messages")
                .description("Messages in the outbox by channel and status (queued, failed = waiting for a retry, sending, dead)")
                .register(registry);
        for (String channel : channels) {
            Gauge.builder("hub.outbox.oldest.undelivered.age", () -> oldestAgeSeconds.getOrDefault(channel, 0.0))
                    .description("Age of the oldest message of the channel not delivered yet (queued, failed or sending)")
                    .baseUnit("seconds").tag("channel", channel).register(registry);
        }
        publish();
    }

    void refresh() {
        Map<String, Long> newCounts = new HashMap<>();
        Map<String, Double> newAges = new HashMap<>();
        Instant now = Instant.now();
        store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT channel, status, COUNT(*), MIN(created_at) "
                    + "FROM outbox_messages WHERE " + Outbox.UNFINISHED + " GROUP BY channel, status");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String channel = rs.getString(1);
                    String status = rs.getString(2);
                    newCounts.put(channel + "/" + status, rs.getLong(3));
                    Instant oldest = store.instant(rs, 4);
                    if (!status.equals("dead") && oldest != null) {
                        newAges.merge(channel, Math.max(0, Duration.between(oldest, now).toMillis() / 1000.0), Math::max);
                    }
                }
            }
            return null;
        });
        counts = newCounts;
        oldestAgeSeconds = newAges;
        publish();
    }

    private void publish() {
        if (messages == null) {
            return;
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (String channel : channels) {
            for (String status : STATUSES) {
                long value = counts.getOrDefault(channel + "/" + status, 0L);
                rows.add(MultiGauge.Row.of(Tags.of("channel", channel, "status", status), value));
            }
        }
        messages.register(rows, true);
    }
}
