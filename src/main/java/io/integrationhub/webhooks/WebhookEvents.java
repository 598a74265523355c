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
    /** Handed to its subscribers (one outbox delivery each). */
    public static final String DISPATCHED = "dispatched";
    /** No subscriber took it when it was dispatched: kept, and replayable once one does. */
    public static final String UNHANDLED = "unhandled";

    /** A stored event, as its subscribers get it. */
    public record Event(String id, String source, String eventId, String type, String contentType, byte[] body,
            String status, Instant receivedAt) {
    }

    /** The event's id in the hub, and whether it was already stored (a repeated delivery). */
    public record Stored(String id, boolean duplicate, int deliveries) {
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
    /**
     * Stores a verified event, once per (source, provider's event id), and with it one outbox delivery per
     * subscriber in {@code subscribers} (null while the subscribers have not all started: the event is then kept
     * {@code received} for the dispatcher). Group commit: the events arriving together share one transaction, and
     * each call returns after the commit that holds its event.
     */
    public Stored store(String source, EventIdentity identity, String contentType, String headersJson, byte[] body,
            java.util.List<String> subscribers, io.integrationhub.outbox.Outbox outbox) {
        String id = newId();
        Instant now = clock.instant();
        String status = subscribers == null ? RECEIVED : subscribers.isEmpty() ? UNHANDLED : DISPATCHED;
        return store.inSharedTransactionRerunnable(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO webhook_events (id, source, event_id, "
                    + "event_type, content_type, headers, body, status, received_at, updated_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, event_id) DO NOTHING")) {
                ps.setString(1, id);
                ps.setString(2, source);
                ps.setString(3, identity.id());
                ps.setString(4, identity.type());
                ps.setString(5, contentType);
                ps.setString(6, headersJson);
                ps.setBytes(7, body);
                ps.setString(8, status);
                ps.setObject(9, store.time(now));
                ps.setObject(10, store.time(now));
                if (ps.executeUpdate() == 1) {
                    int deliveries = 0;
                    for (String subscriber : subscribers == null ? java.util.List.<String>of() : subscribers) {
                        outbox.enqueue(c, io.integrationhub.outbox.Outbox.newId(), WebhookDeliveries.CHANNEL,
                                WebhookDeliveries.payload(id, subscriber), null);
                        deliveries++;
                    }
                    return new Stored(id, false, deliveries);
                }
            }
            // a repeat: the first event's id
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id FROM webhook_events WHERE source = ? AND event_id = ?")) {
                ps.setString(1, source);
                ps.setString(2, identity.id());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new Stored(rs.getString(1), true, 0);
                    }
                }
            }
            throw new IllegalStateException("an event of " + source + " was refused as a repeat, and is not stored");
        });
    }

    /**
     * Hands up to {@code limit} received events to their subscribers: one outbox delivery (channel
     * {@value WebhookDeliveries#CHANNEL}) per subscriber, written in the transaction that marks the event
     * {@code dispatched}, or {@code unhandled} when nobody subscribes. Returns how many events were dispatched.
     */
    /** What one {@link #dispatchReceived} did: events dispatched, deliveries queued for subscribers. */
    public record Dispatched(int events, int deliveries) {
    }

    public Dispatched dispatchReceived(int limit, java.util.function.BiFunction<String, String, java.util.List<String>> subscribersOf,
            io.integrationhub.outbox.Outbox outbox) {
        Instant now = clock.instant();
        return store.inTransaction(c -> {
            java.util.List<String[]> received = new java.util.ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, source, event_type FROM webhook_events "
                    + "WHERE status = ? ORDER BY received_at LIMIT ?" + store.lockRowsSkipLocked())) {
                ps.setString(1, RECEIVED);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        received.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                    }
                }
            }
            int deliveries = 0;
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE webhook_events SET status = ?, updated_at = ? WHERE id = ?")) {
                for (String[] event : received) {
                    java.util.List<String> subscribers = subscribersOf.apply(event[1], event[2]);
                    deliveries += subscribers.size();
                    for (String subscriber : subscribers) {
                        outbox.enqueue(c, io.integrationhub.outbox.Outbox.newId(), WebhookDeliveries.CHANNEL,
                                WebhookDeliveries.payload(event[0], subscriber), null);
                    }
                    update.setString(1, subscribers.isEmpty() ? UNHANDLED : DISPATCHED);
                    update.setObject(2, store.time(now));
                    update.setString(3, event[0]);
                    update.addBatch();
                }
                if (!received.isEmpty()) {
                    update.executeBatch();
                }
            }
            return new Dispatched(received.size(), deliveries);
        });
    }

    /**
     * Deletes up to {@code limit} events received before {@code before} that were handed on (dispatched or
     * unhandled): their bodies are personal data, kept no longer than the retention. Events still waiting for
     * dispatch are never purged. Returns how many went.
     */
    public int purgeHandled(Instant before, int limit) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM webhook_events WHERE id IN (SELECT id FROM "
                    + "webhook_events WHERE status IN (?, ?) AND received_at < ? LIMIT ?)")) {
                ps.setString(1, DISPATCHED);
                ps.setString(2, UNHANDLED);
                ps.setObject(3, store.time(before));
                ps.setInt(4, limit);
                return ps.executeUpdate();
            }
        });
    }

    public Optional<Event> find(String id) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, source, event_id, event_type, content_type, body, "
                    + "status, received_at FROM webhook_events WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Event(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getBytes(6), rs.getString(7), store.instant(rs, 8)));
                }
            }
        });
    }

    /** Newest first, without their bodies; filters may be null. */
    public java.util.List<Event> list(String source, String type, String status, int limit, int offset) {
        return store.inTransaction(c -> {
            StringBuilder sql = new StringBuilder("SELECT id, source, event_id, event_type, content_type, status, "
                    + "received_at FROM webhook_events WHERE 1 = 1");
            java.util.List<Object> args = new java.util.ArrayList<>();
            for (String[] filter : new String[][] {{"source", source}, {"event_type", type}, {"status", status}}) {
                if (filter[1] != null) {
                    sql.append(" AND ").append(filter[0]).append(" = ?");
                    args.add(filter[1]);
                }
            }
            sql.append(" ORDER BY received_at DESC, id DESC LIMIT ? OFFSET ?");
            args.add(limit);
            args.add(offset);
            java.util.List<Event> items = new java.util.ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(new Event(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), null, rs.getString(6), store.instant(rs, 7)));
                    }
                }
            }
            return items;
        });
    }

    /** One delivery of an event to a subscriber: the outbox message that carries it. */
    public record Delivery(String subscriber, io.integrationhub.outbox.OutboxMessage message) {
    }

    /** The deliveries of an event to its subscribers, oldest first (a replay adds new ones). */
    public java.util.List<Delivery> deliveries(String eventId, io.integrationhub.outbox.Outbox outbox) {
        java.util.List<String> ids = store.inTransaction(c -> {
            java.util.List<String> found = new java.util.ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM outbox_messages WHERE channel = ? "
                    + "AND payload LIKE ? ORDER BY created_at, id")) {
                ps.setString(1, WebhookDeliveries.CHANNEL);
                ps.setString(2, "%\"event\":\"" + eventId + "\"%");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(rs.getString(1));
                    }
                }
            }
            return found;
        });
        java.util.List<Delivery> deliveries = new java.util.ArrayList<>();
        for (String id : ids) {
            outbox.find(id).ifPresent(m -> deliveries.add(new Delivery(WebhookDeliveries.subscriber(m.payload()), m)));
        }
        return deliveries;
    }

    /**
     * Hands a stored event to its subscribers again, or to one of them, in the caller's transaction: new deliveries,
     * whatever became of the earlier ones. Returns the new deliveries' ids by subscriber.
     */
    public java.util.Map<String, String> replay(java.sql.Connection c, Event event, java.util.List<String> subscribers,
            io.integrationhub.outbox.Outbox outbox) throws java.sql.SQLException {
        java.util.Map<String, String> created = new java.util.LinkedHashMap<>();
        for (String subscriber : subscribers) {
            String id = io.integrationhub.outbox.Outbox.newId();
            outbox.enqueue(c, id, WebhookDeliveries.CHANNEL, WebhookDeliveries.payload(event.id(), subscriber), null);
            created.put(subscriber, id);
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_events SET status = ?, updated_at = ? WHERE id = ?")) {
            ps.setString(1, subscribers.isEmpty() ? UNHANDLED : DISPATCHED);
            ps.setObject(2, store.time(clock.instant()));
            ps.setString(3, event.id());
            ps.executeUpdate();
        }
        return created;
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
