package io.integrationhub.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

import io.integrationhub.store.Store;

/**
 * Idempotency keys for every API write. The key row is inserted in the same transaction as the work it guards, so
 * the primary key (scope, key) is what stops a second execution: a concurrent request with the same key waits for
 * the first to commit, then answers with the first response. Same key with another request: 422.
 */
public final class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    private static final Duration WAIT_FOR_FIRST = Duration.ofSeconds(30);
    /** The response status of a key whose work is still running. */
    private static final int IN_PROGRESS = 0;

    /** A response as it was first given, replayed for every retry with the same key. */
    public record StoredResponse(int status, String body) {
    }

    private final Store store;
    private final Clock clock;
    private final Duration retention;

    public Idempotency(Store store, Clock clock, Duration retention) {
        this.store = store;
        this.clock = clock;
        this.retention = retention;
    }

    public static final String KEY_SHAPE = "must be 1 to 255 visible ASCII characters";

    /** A key's shape: 1 to 255 visible ASCII characters. */
    public static boolean isWellFormed(String key) {
        return !key.isEmpty() && key.length() <= 255 && key.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f);
    }

    /** Refuses a malformed {@code Idempotency-Key} header with a 400. */
    public static void validateKey(String key) {
        if (!isWellFormed(key)) {
            throw ApiProblem.badRequest(HEADER, KEY_SHAPE);
        }
    }

    public static String requestHash(String method, String path, String canonicalBody) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((method + " " + path + "\n").getBytes(StandardCharsets.UTF_8));
            digest.update(canonicalBody.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code work} once per (scope, key): its response is stored with the key in the work's own transaction.
     * Without a key (and then without a {@code requestHash}, which may be null) the work simply runs in a
     * transaction. The transaction is shared with the accepts of other
     * threads at the same time (group commit: one write for all of them, each answered after the commit that holds
     * it), so the work must be short and wait for nothing but the store.
     */
    public StoredResponse execute(String scope, String key, String requestHash, Store.Work<StoredResponse> work) {
        if (key == null) {
            return store.inSharedTransactionRerunnable(work);
        }
        // a concurrent first request may hold the key for as long as its work takes (a provider call): wait for it
        long deadline = System.nanoTime() + WAIT_FOR_FIRST.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                // a second request with the key in the same shared transaction fails alone on the primary key, and
                // reads the first one's response after the commit
                return store.inSharedTransaction(c -> {
                    insertKey(c, scope, key, requestHash);
                    StoredResponse response = work.apply(c);
                    storeResponse(c, scope, key, response);
                    return response;
                });
            } catch (RuntimeException e) {
                if (!Store.isUniqueViolation(e) && !Store.isLockTimeout(e)) {
                    throw e;
                }
            }
            Optional<Existing> found = current(scope, key, requestHash);
            if (found.isPresent() && found.get().response().status() != IN_PROGRESS) {
                return found.get().response();
            }
            sleepBriefly();
        }
        throw new ApiProblem(409, "Idempotency key busy", "a request with this Idempotency-Key is still in progress");
    }

    /** What {@link #reserve} found: the key is now this caller's to complete, or the first response to replay. */
    public record Reservation(boolean reserved, StoredResponse replay) {
    }

    /**
     * Reserves a key for work that must not hold a transaction (a provider call): the key row is committed first,
     * marked in progress. The caller then does the work and {@link #complete}s the key, or {@link #release}s it when
     * the work failed, so that a retry can try again. A concurrent request with the same key meanwhile gets a 409
     * with Retry-After, never a second call; one with another request a 422. A reservation older than
     * {@code staleAfter} was left by a hub that stopped mid-call and is taken over.
     */
    public Reservation reserve(String scope, String key, String requestHash, Duration staleAfter) {
        for (int round = 0; round < 3; round++) {
            try {
                store.inTransaction(c -> {
                    insertKey(c, scope, key, requestHash);
                    return null;
                });
                return new Reservation(true, null);
            } catch (RuntimeException e) {
                if (!Store.isUniqueViolation(e)) {
                    throw e;
                }
            }
            Existing found = current(scope, key, requestHash).orElse(null);
            if (found == null) {
                continue;
            }
            if (found.response().status() != IN_PROGRESS) {
                return new Reservation(false, found.response());
            }
            if (found.createdAt().plus(staleAfter).isBefore(clock.instant()) && takeOver(scope, key, found.createdAt())) {
                return new Reservation(true, null);
            }
            throw new ApiProblem(409, "Idempotency key busy",
                    "a request with this Idempotency-Key is still in progress; retry after it completes")
                    .retryAfter(Duration.ofSeconds(1));
        }
        throw new ApiProblem(409, "Idempotency key busy", "a request with this Idempotency-Key is still in progress")
                .retryAfter(Duration.ofSeconds(1));
    }

    /** Stores the response of reserved work; replays of the key answer with it from now on. */
    public void complete(String scope, String key, StoredResponse response) {
        store.inTransaction(c -> {
            storeResponse(c, scope, key, response);
            return null;
        });
    }

    /** Gives a reserved key up after its work failed: the next request with it runs the work anew. */
    public void release(String scope, String key) {
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM idempotency_keys WHERE scope = ? "
                    + "AND idempotency_key = ? AND response_status = " + IN_PROGRESS)) {
                ps.setString(1, scope);
                ps.setString(2, key);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * The key's row when it is live and was used for this very request; empty when there is none (an expired one
     * is deleted); a 422 when it was used for another request.
     */
    private Optional<Existing> current(String scope, String key, String requestHash) {
        Optional<Existing> existing = find(scope, key);
        if (existing.isPresent() && existing.get().expiresAt().isBefore(clock.instant())) {
            delete(scope, key);
            return Optional.empty();
        }
        if (existing.isPresent() && !existing.get().requestHash().equals(requestHash)) {
            throw reused();
        }
        return existing;
    }

    private boolean takeOver(String scope, String key, Instant createdAt) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE idempotency_keys SET created_at = ? WHERE scope = ? "
                    + "AND idempotency_key = ? AND response_status = " + IN_PROGRESS + " AND created_at = ?")) {
                ps.setObject(1, store.time(clock.instant()));
                ps.setString(2, scope);
                ps.setString(3, key);
                ps.setObject(4, store.time(createdAt));
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static ApiProblem reused() {
        return new ApiProblem(422, "Idempotency key reused", "Idempotency-Key was already used with a different request");
    }

    /** Deletes keys past their retention; returns how many. */
    public int deleteExpired() {
        Instant now = clock.instant();
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM idempotency_keys WHERE expires_at < ?")) {
                ps.setObject(1, store.time(now));
                return ps.executeUpdate();
            }
        });
    }

    private record Existing(String requestHash, StoredResponse response, Instant createdAt, Instant expiresAt) {
    }

    private void insertKey(Connection c, String scope, String key, String requestHash) throws SQLException {
        Instant now = clock.instant();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO idempotency_keys (scope, idempotency_key, "
                + "request_hash, response_status, response_body, created_at, expires_at) VALUES (?, ?, ?, 0, '', ?, ?)")) {
            ps.setString(1, scope);
            ps.setString(2, key);
            ps.setString(3, requestHash);
            ps.setObject(4, store.time(now));
            ps.setObject(5, store.time(now.plus(retention)));
            ps.executeUpdate();
        }
    }

    private void storeResponse(Connection c, String scope, String key, StoredResponse response) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE idempotency_keys SET response_status = ?, "
                + "response_body = ? WHERE scope = ? AND idempotency_key = ?")) {
            ps.setInt(1, response.status());
            ps.setString(2, response.body());
            ps.setString(3, scope);
            ps.setString(4, key);
            ps.executeUpdate();
        }
    }

    private Optional<Existing> find(String scope, String key) {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT request_hash, response_status, response_body, "
                    + "created_at, expires_at FROM idempotency_keys WHERE scope = ? AND idempotency_key = ?")) {
                ps.setString(1, scope);
                ps.setString(2, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Existing(rs.getString(1), new StoredResponse(rs.getInt(2), rs.getString(3)),
                            store.instant(rs, 4),
                            store.instant(rs, 5)));
                }
            }
        });
    }

    private void delete(String scope, String key) {
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM idempotency_keys WHERE scope = ? AND idempotency_key = ? AND expires_at < ?")) {
                ps.setString(1, scope);
                ps.setString(2, key);
                ps.setObject(3, store.time(clock.instant()));
                return ps.executeUpdate();
            }
        });
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
