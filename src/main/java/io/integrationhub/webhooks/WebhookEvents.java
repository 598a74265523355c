package io.integrationhub.webhooks;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import io.integrationhub.store.Store;
import io.integrationhub.store.StoreException;

/**
 * The received events, each stored once per (source, provider's event id): a repeated delivery finds the first and
 * changes nothing.
 */
public final class WebhookEvents {

    public static final String BEAN = "webhookEvents";
    public static final String RECEIVED = "received";

    /** The event's id in the hub, and whether it was already stored (a repeated delivery). */
    public record Stored(String id, boolean duplicate) {
    }

    private final Store store;
    private final Clock clock;

    public WebhookEvents(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public static String newId() {
        return "evt_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** Stores the event, committed before this returns; or finds the one stored before with the same event id. */
    public Stored store(String source, EventIdentity identity, String contentType, String headersJson, byte[] body) {
        String id = newId();
        Instant now = clock.instant();
        try {
            store.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO webhook_events (id, source, event_id, "
                        + "event_type, content_type, headers, body, status, received_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, id);
                    ps.setString(2, source);
                    ps.setString(3, identity.id());
                    ps.setString(4, identity.type());
                    ps.setString(5, contentType);
                    ps.setString(6, headersJson);
                    ps.setBytes(7, body);
                    ps.setString(8, RECEIVED);
                    ps.setObject(9, store.time(now));
                    ps.setObject(10, store.time(now));
                    ps.executeUpdate();
                }
                return null;
            });
            return new Stored(id, false);
        } catch (StoreException e) {
            if (!Store.isUniqueViolation(e)) {
                throw e;
            }
        }
        return new Stored(find(source, identity.id()).orElseThrow(() -> new IllegalStateException(
                "an event of " + source + " was refused as a repeat, and is not stored")), true);
    }

    private Optional<String> find(String source, String eventId) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id FROM webhook_events WHERE source = ? AND event_id = ?")) {
                ps.setString(1, source);
                ps.setString(2, eventId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /** How many events are stored (all sources). */
    public long count() {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM webhook_events");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
