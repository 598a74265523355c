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
     * Without a key the work simply runs in a transaction.
     */
    public StoredResponse execute(String scope, String key, String requestHash, Store.Work<StoredResponse> work) {
        if (key == null) {
            return store.inTransaction(work);
        }
        // a concurrent first request may hold the key for as long as its work takes (a provider call): wait for it
        long deadline = System.nanoTime() + WAIT_FOR_FIRST.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                return store.inTransaction(c -> {
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
            Optional<Existing> existing = find(scope, key);
            if (existing.isPresent()) {
                Existing found = existing.get();
                if (found.expiresAt().isBefore(clock.instant())) {
                    delete(scope, key);
                    continue;
                }
                if (!found.requestHash().equals(requestHash)) {
                    throw new ApiProblem(422, "Idempotency key reused",
                            "Idempotency-Key was already used with a different request");
                }
                return found.response();
            }
            sleepBriefly();
        }
        throw new ApiProblem(409, "Idempotency key busy", "a request with this Idempotency-Key is still in progress");
    }

    /** Deletes keys past their retention; returns how many. */
    public int deleteExpired() {
        Instant now = clock.instant();
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM idempotency_keys WHERE expires_at < ?")) {
                ps.setObject(1, Store.utc(now));
                return ps.executeUpdate();
            }
        });
    }

    private record Existing(String requestHash, StoredResponse response, Instant expiresAt) {
    }

    private void insertKey(Connection c, String scope, String key, String requestHash) throws SQLException {
        Instant now = clock.instant();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO idempotency_keys (scope, idempotency_key, "
                + "request_hash, response_status, response_body, created_at, expires_at) VALUES (?, ?, ?, 0, '', ?, ?)")) {
            ps.setString(1, scope);
            ps.setString(2, key);
            ps.setString(3, requestHash);
            ps.setObject(4, Store.utc(now));
            ps.setObject(5, Store.utc(now.plus(retention)));
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
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT request_hash, response_status, response_body, "
                    + "expires_at FROM idempotency_keys WHERE scope = ? AND idempotency_key = ?")) {
                ps.setString(1, scope);
                ps.setString(2, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Existing(rs.getString(1), new StoredResponse(rs.getInt(2), rs.getString(3)),
                            Store.instant(rs.getObject(4, java.time.OffsetDateTime.class))));
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
                ps.setObject(3, Store.utc(clock.instant()));
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
