package io.integrationhub.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.integrationhub.store.Store;

/**
 * The durable outbox, shared by every asynchronous channel. A message is claimed with {@code FOR UPDATE SKIP
 * LOCKED} under a lease token; only the holder of the current token can record its outcome, and a message whose
 * lease ran out (its hub crashed) is claimed again.
 */
public final class Outbox {

    private static final String COLUMNS = "id, channel, status, payload, provider, provider_message_id, attempts, "
            + "last_error, created_by, next_attempt_at, created_at, updated_at, sent_at, delivered_at, provider_error_code";
    private static final int MAX_ERROR = 2000;
    /**
     * The condition of the index of unfinished messages (V9), named in the queries it serves: SQLite uses a partial
     * index only for a query that states the index's condition itself.
     */
    public static final String UNFINISHED = "status IN ('queued', 'failed', 'sending', 'dead')";
    /** The messages a claim takes first, in its order (served by the due index of V8). */
    static final String DUE = "WHERE channel = ? AND status IN ('queued', 'failed') AND next_attempt_at <= ? "
            + "ORDER BY next_attempt_at";
    /** Messages a stopped hub left leased, once their lease ran out (served by the index of unfinished messages). */
    static final String LEASE_RAN_OUT = "WHERE channel = ? AND status = 'sending' AND " + UNFINISHED + " AND lease_until < ?";
    /** A sent message by the provider's id, for its receipt (served by the provider-id index of V9). */
    static final String BY_PROVIDER_ID = "WHERE provider = ? AND provider_message_id = ? "
            + "AND status IN ('sent', 'delivered', 'undelivered')";
    /** The note on a message sent again because an earlier attempt may have reached the provider unrecorded. */
    public static final String ABANDONED = "the hub stopped during delivery; sent again (it may have reached the provider)";

    /** A claimed message and the token that proves the claim. */
    public record Claim(OutboxMessage message, String lease, Instant leaseUntil) {
    }

    public record Page(List<OutboxMessage> items, int limit, int offset) {
    }

    private final Store store;
    private final Clock clock;
    private final Duration lease;

    public Outbox(Store store, Clock clock, Duration lease) {
        this.store = store;
        this.clock = clock;
        this.lease = lease;
    }

    /** Whether the store answered its last check: while it does not, a claimed message is better not sent. */
    public boolean storeAvailable() {
        return store.isAvailable();
    }

    /** The outbox's clock. */
    public Instant now() {
        return clock.instant();
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /**
     * A new message id, {@code msg_} and 32 hex digits: the time in milliseconds (12 digits), then 80 random bits.
     * Ids made in the same moment sort together, so the store appends them at the end of its primary key instead of
     * rewriting a page of it at random for every message.
     */
    public static String newId() {
        return "msg_" + timeOrdered(RANDOM);
    }

    /**
     * 32 hex digits that sort by the time they were made: the time in milliseconds (12 digits), then 80 bits of
     * {@code random} (the message ids' secure generator; a faster one where the value is no secret).
     */
    public static String timeOrdered(java.util.Random random) {
        byte[] bits = new byte[10];
        random.nextBytes(bits);
        java.util.HexFormat hex = java.util.HexFormat.of();
        return hex.toHexDigits(System.currentTimeMillis()).substring(4) + hex.formatHex(bits);
    }

    /** Stores a message as queued, inside the caller's transaction. */
    public OutboxMessage enqueue(Connection c, String id, String channel, String payload, String createdBy)
            throws SQLException {
        Instant now = clock.instant();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO outbox_messages (id, channel, status, payload, "
                + "attempts, created_by, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, channel);
            ps.setString(3, OutboxMessage.QUEUED);
            ps.setString(4, payload);
            ps.setString(5, createdBy);
            ps.setObject(6, store.time(now));
            ps.setObject(7, store.time(now));
            ps.setObject(8, store.time(now));
            // as a batch: in a shared transaction on PostgreSQL the row goes with the other units' in one round trip
            ps.addBatch();
            ps.executeBatch();
        }
        return new OutboxMessage(id, channel, OutboxMessage.QUEUED, payload, null, null, 0, null, createdBy, now, now,
                now, null, null, null);
    }

    /**
     * Claims up to {@code limit} due messages of one channel (new, waiting for a retry, or abandoned by a crashed
     * hub), counting the attempt each claim is about to make.
     */
    public List<Claim> claimDue(String channel, int limit) {
        return claimDue(channel, limit, newClaimToken());
    }

    /** A claim's lease token: what its messages carry while they are claimed. */
    public static String newClaimToken() {
        return UUID.randomUUID().toString();
    }

    /**
     * As {@link #claimDue(String, int)}, under the given token. When this throws, the claim may still have committed
     * (the database went away during the COMMIT): {@link #releaseClaim} with the same token gives such messages back
     * once the store answers, instead of leaving them to their lease.
     */
    public List<Claim> claimDue(String channel, int limit, String token) {
        Instant now = clock.instant();
        // in the transaction the accepts and outcomes of the moment share: the claim waits for no other writer
        return store.inSharedTransactionRerunnable(c -> {
            // two queries, each served by an index (one with an OR would scan every row of the channel): what is
            // due, then what a stopped hub left leased
            List<OutboxMessage> due = select(c, DUE, channel, now, limit);
            if (due.size() < limit) {
                due.addAll(select(c, LEASE_RAN_OUT, channel, now, limit - due.size()));
            }
            List<Claim> claims = new ArrayList<>();
            // a message still 'sending' under a lease that ran out was abandoned mid-delivery (its hub stopped, or
            // could not record the outcome before it did): it may have reached the provider, and the note says so
            try (PreparedStatement ps = c.prepareStatement("UPDATE outbox_messages SET status = 'sending', "
                    + "lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?, "
                    + "last_error = CASE WHEN status = 'sending' THEN ? ELSE last_error END WHERE id = ?")) {
                for (OutboxMessage m : due) {
                    boolean abandoned = OutboxMessage.SENDING.equals(m.status());
                    ps.setString(1, token);
                    ps.setObject(2, store.time(now.plus(lease)));
                    ps.setObject(3, store.time(now));
                    ps.setString(4, ABANDONED);
                    ps.setString(5, m.id());
                    ps.addBatch();
                    claims.add(new Claim(new OutboxMessage(m.id(), m.channel(), OutboxMessage.SENDING, m.payload(),
                            m.provider(), m.providerMessageId(), m.attempts() + 1,
                            abandoned ? ABANDONED : m.lastError(), m.createdBy(),
                            m.nextAttemptAt(), m.createdAt(), now, m.sentAt(), m.deliveredAt(), m.providerErrorCode()),
                            token, now.plus(lease)));
                }
                if (!due.isEmpty()) {
                    ps.executeBatch();
                }
            }
            return claims;
        });
    }

    private List<OutboxMessage> select(Connection c, String where, String channel, Instant now, int limit)
            throws SQLException {
        List<OutboxMessage> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM outbox_messages " + where
                + " LIMIT ?" + store.lockRowsSkipLocked())) {
            ps.setString(1, channel);
            ps.setObject(2, store.time(now));
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(read(rs));
                }
            }
        }
        return rows;
    }

    /**
     * Whether the claim may send now: certainly while more than half its lease remains (no other claim can take the
     * message before the lease ends), otherwise only if renewing the lease succeeds.
     */
    public boolean holdsLease(Claim claim) {
        if (clock.instant().isBefore(claim.leaseUntil().minus(lease.dividedBy(2)))) {
            return true;
        }
        return renewLease(claim.message().id(), claim.lease());
    }

    /**
     * Renews the lease right before an attempt; false when the lease has passed to another claim (it ran out while
     * the message waited for a worker), in which case this claim must not send.
     */
    public boolean renewLease(String id, String lease) {
        Instant now = clock.instant();
        return update(id, lease, "lease_until = ?", store.time(now.plus(this.lease)));
    }

    /**
     * A delivery attempt failed transiently: the message goes back to the queue until {@code nextAttempt}, its
     * attempt counted and the reason kept, and the worker is free at once.
     */
    public boolean scheduleRetry(String id, String lease, Duration delay, String provider, String error,
                                 String providerCode) {
        Instant now = clock.instant();
        return update(id, lease, "status = 'failed', provider = COALESCE(?, provider), last_error = ?, "
                + "provider_error_code = ?, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?",
                provider, truncate(error), providerCode, store.time(now.plus(delay)), store.time(now));
    }

    /**
     * Gives back every message of a claim whose transaction failed as far as the hub knows, but may have committed:
     * none of them was tried. True once the store took it (also when nothing had been claimed).
     */
    public boolean releaseClaim(String token) {
        Instant now = clock.instant();
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE outbox_messages SET "
                    + "status = CASE WHEN attempts > 1 THEN 'failed' ELSE 'queued' END, attempts = attempts - 1, "
                    + "next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? "
                    + "WHERE lease_owner = ? AND status = 'sending' AND " + UNFINISHED)) {
                ps.setObject(1, store.time(now));
                ps.setObject(2, store.time(now));
                ps.setString(3, token);
                ps.executeUpdate();
                return true;
            }
        });
    }

    /** Gives a claimed message back untried (its hub is stopping): the attempt it did not make is not counted. */
    public boolean release(String id, String lease) {
        Instant now = clock.instant();
        return update(id, lease, "status = CASE WHEN attempts > 1 THEN 'failed' ELSE 'queued' END, "
                + "attempts = attempts - 1, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?",
                store.time(now), store.time(now));
    }

    /**
     * A provider's receipt for a sent message, found by the provider's own id: {@code delivered} or
     * {@code undelivered} with the provider's error code. False when no sent message has that id.
     */
    public boolean recordReceipt(String provider, String providerMessageId, boolean delivered, String errorCode,
                                 String error) {
        Instant now = clock.instant();
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE outbox_messages SET status = ?, delivered_at = ?, "
                    + "provider_error_code = ?, last_error = COALESCE(?, last_error), updated_at = ? " + BY_PROVIDER_ID)) {
                ps.setString(1, delivered ? OutboxMessage.DELIVERED : OutboxMessage.UNDELIVERED);
                ps.setObject(2, delivered ? store.time(now) : null);
                ps.setString(3, errorCode);
                ps.setString(4, truncate(error));
                ps.setObject(5, store.time(now));
                ps.setString(6, provider);
                ps.setString(7, providerMessageId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    /**
     * The provider accepted the message; {@code warning} (what it did not take) becomes the last error. An error code
     * kept from a failed attempt is cleared: on a sent message the code is the one its receipt brings, if any.
     */
    public boolean markSent(String id, String lease, String provider, String providerMessageId, String warning) {
        return markSent(id, lease, provider, providerMessageId, warning, clock.instant());
    }

    /** As {@link #markSent(String, String, String, String, String)}, sent at {@code now} (recorded later). */
    public boolean markSent(String id, String lease, String provider, String providerMessageId, String warning,
                            Instant now) {
        return update(id, lease, "status = 'sent', provider = ?, provider_message_id = ?, provider_error_code = NULL, "
                + "last_error = COALESCE(?, last_error), lease_owner = NULL, lease_until = NULL, updated_at = ?, "
                + "sent_at = ?", provider, providerMessageId, truncate(warning), store.time(now), store.time(now));
    }

    public boolean markDead(String id, String lease, String provider, String error, String providerCode) {
        Instant now = clock.instant();
        return update(id, lease, "status = 'dead', provider = COALESCE(?, provider), last_error = ?, "
                + "provider_error_code = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?", provider,
                truncate(error), providerCode, store.time(now));
    }

    /** Gives the message back to the queue for later, without counting the attempt that could not be made. */
    public boolean postpone(String id, String lease, Duration delay, String reason) {
        Instant now = clock.instant();
        return update(id, lease, "status = 'failed', attempts = attempts - 1, last_error = ?, next_attempt_at = ?, "
                + "lease_owner = NULL, lease_until = NULL, updated_at = ?", truncate(reason),
                store.time(now.plus(delay)), store.time(now));
    }

    /**
     * Releases every lease at once: for the embedded store, which only one hub can open, so whatever is still
     * {@code sending} was abandoned by a hub that stopped mid-delivery. Returns how many messages were released.
     */
    public int releaseAllLeases() {
        Instant now = clock.instant();
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE outbox_messages SET lease_until = ?, last_error = ? "
                    + "WHERE status = 'sending' AND " + UNFINISHED)) {
                ps.setObject(1, store.time(now.minusSeconds(1)));
                ps.setString(2, ABANDONED);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Deletes up to {@code limit} finished messages (sent, delivered, undelivered or dead) last changed before
     * {@code before}: their content is personal data, kept no longer than the retention. Returns how many went;
     * messages still to be delivered are never purged.
     */
    public int purgeFinished(Instant before, int limit) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM outbox_messages WHERE id IN (SELECT id FROM "
                    + "outbox_messages WHERE status IN ('sent', 'delivered', 'undelivered', 'dead') AND updated_at < ? "
                    + "LIMIT ?)")) {
                ps.setObject(1, store.time(before));
                ps.setInt(2, limit);
                return ps.executeUpdate();
            }
        });
    }

    /** Gives the space of purged messages back (see {@link Store#reclaimFreeSpace()}). */
    public void reclaimFreeSpace() {
        store.reclaimFreeSpace();
    }

    /** Queues a dead message again, and answers it as queued; empty when it is not dead. */
    public Optional<OutboxMessage> retryDead(String id) {
        Instant now = clock.instant();
        return store.inTransaction(c -> {
            // a fresh start: the retry schedule applies anew (the earlier attempts and reason stay in the log)
            try (PreparedStatement ps = c.prepareStatement("UPDATE outbox_messages SET status = 'queued', attempts = 0, "
                    + "next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'dead'")) {
                ps.setObject(1, store.time(now));
                ps.setObject(2, store.time(now));
                ps.setString(3, id);
                if (ps.executeUpdate() != 1) {
                    return Optional.empty();
                }
            }
            // the row as this transaction left it: a claim right after the commit must not change the answer
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM outbox_messages WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return Optional.of(read(rs));
                }
            }
        });
    }

    public Optional<OutboxMessage> find(String id) {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM outbox_messages WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    /** Newest first, optionally filtered by status, channel and the key name that created them. */
    public Page list(String status, String channel, String createdBy, int limit, int offset) {
        return store.read(c -> {
            StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM outbox_messages WHERE 1 = 1");
            List<Object> args = new ArrayList<>();
            if (status != null) {
                sql.append(" AND status = ?");
                args.add(status);
            }
            if (channel != null) {
                sql.append(" AND channel = ?");
                args.add(channel);
            }
            if (createdBy != null) {
                sql.append(" AND created_by = ?");
                args.add(createdBy);
            }
            sql.append(" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?");
            args.add(limit);
            args.add(offset);
            List<OutboxMessage> items = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(read(rs));
                    }
                }
            }
            return new Page(items, limit, offset);
        });
    }

    /**
     * One message's outcome or lease, written in a transaction shared with the other workers' at the same time
     * (group commit): under load, the outcomes of many deliveries take one write (and on PostgreSQL one round trip).
     * False when the lease passed to another claim.
     */
    private boolean update(String id, String lease, String assignments, Object... values) {
        Object[] parameters = java.util.Arrays.copyOf(values, values.length + 2);
        parameters[values.length] = id;
        parameters[values.length + 1] = lease;
        return store.sharedUpdate("UPDATE outbox_messages SET " + assignments
                + " WHERE id = ? AND lease_owner = ? AND status = 'sending'", parameters) == 1;
    }

    private static String truncate(String error) {
        return error == null || error.length() <= MAX_ERROR ? error : error.substring(0, MAX_ERROR);
    }

    private OutboxMessage read(ResultSet rs) throws SQLException {
        return new OutboxMessage(rs.getString("id"), rs.getString("channel"), rs.getString("status"),
                rs.getString("payload"), rs.getString("provider"), rs.getString("provider_message_id"),
                rs.getInt("attempts"), rs.getString("last_error"), rs.getString("created_by"),
                store.instant(rs, "next_attempt_at"),
                store.instant(rs, "created_at"),
                store.instant(rs, "updated_at"),
                store.instant(rs, "sent_at"),
                store.instant(rs, "delivered_at"),
                rs.getString("provider_error_code"));
    }
}
