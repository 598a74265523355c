package io.integrationhub.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.integrationhub.store.Store;

/**
 * API keys, stored only as SHA-256 hashes. A key reads {@code hk_<id>_<secret>}: the id finds the row, the hash of
 * the whole key is compared in constant time. Keys are high-entropy random values, so a fast hash is the right one.
 */
public final class ApiKeys {

    /** Row id of the key seeded from {@code HUB_ADMIN_KEY}, whose value may have any shape. */
    static final String ENVIRONMENT_KEY_ID = "env-admin";
    private static final String PREFIX = "hk_";
    private static final int ID_LENGTH = 16;
    private static final byte[] NO_MATCH = new byte[32];

    private final Store store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public ApiKeys(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** A key as issued: the plain value exists only in this object, once. */
    public record IssuedKey(ApiKeyView key, String value) {
    }

    public record ApiKeyView(String id, String name, String role, Instant createdAt, Instant expiresAt, Instant revokedAt) {
        public boolean activeAt(Instant now) {
            return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
        }
    }

    /**
     * Creates a key unless an active key has the name already (empty then). Check and insert happen under one
     * lock of this hub; hubs sharing a store could still race, and names are then the same caller.
     */
    public synchronized Optional<IssuedKey> createWithUniqueName(String name, Role role) {
        Instant now = clock.instant();
        if (list().stream().anyMatch(k -> k.name().equals(name) && k.activeAt(now))) {
            return Optional.empty();
        }
        return Optional.of(create(name, role));
    }

    public IssuedKey create(String name, Role role) {
        IssuedKey issued = store.inTransaction(c -> insert(c, name, role, null));
        reload();
        return issued;
    }

    /**
     * The caller a bearer value belongs to, when it is an active key. Answered from memory (the HTTP edge must not
     * block on the store): changes made here apply at once, changes made by other hubs after {@link #reload()}.
     */
    public Optional<Caller> authenticate(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > 512) {
            return Optional.empty();
        }
        String id = idOf(presented);
        byte[] presentedHash = sha256(presented);
        KnownKey known = snapshot.get(id == null ? ENVIRONMENT_KEY_ID : id);
        boolean matches = MessageDigest.isEqual(presentedHash, known == null ? NO_MATCH : known.hash());
        if (known == null || !matches || !known.view().activeAt(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(new Caller(known.view().id(), known.view().name(), Role.valueOf(known.view().role().toUpperCase())));
    }

    private record KnownKey(ApiKeyView view, byte[] hash) {
    }

    private volatile Map<String, KnownKey> snapshot = Map.of();

    /** Reads every key from the store into memory. */
    public void reload() {
        snapshot = store.inTransaction(c -> {
            Map<String, KnownKey> keys = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, name, role, secret_hash, expires_at, revoked_at, created_at FROM api_keys");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.put(rs.getString("id"), new KnownKey(view(rs), HexFormat.of().parseHex(rs.getString("secret_hash"))));
                }
            }
            return Map.copyOf(keys);
        });
    }

    public List<ApiKeyView> list() {
        return store.inTransaction(c -> {
            List<ApiKeyView> keys = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, name, role, expires_at, revoked_at, created_at FROM api_keys ORDER BY created_at, id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(view(rs));
                }
            }
            return keys;
        });
    }

    public Optional<ApiKeyView> find(String id) {
        return list().stream().filter(k -> k.id().equals(id)).findFirst();
    }

    /** Revokes at once; answers false when there is no such key. */
    public boolean revoke(String id) {
        Instant now = clock.instant();
        boolean revoked = store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                ps.setObject(1, Store.utc(now));
                ps.setString(2, id);
                return ps.executeUpdate() == 1;
            }
        });
        reload();
        return revoked;
    }

    /**
     * Issues a new key with the same name and role; the old one keeps working for the grace period and then
     * expires. Empty when the old key does not exist or is no longer active.
     */
    public Optional<IssuedKey> rotate(String id, Duration grace) {
        Instant now = clock.instant();
        Optional<IssuedKey> issued = store.inTransaction(c -> {
            ApiKeyView old;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, name, role, expires_at, revoked_at, created_at FROM api_keys WHERE id = ? FOR UPDATE")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    old = view(rs);
                }
            }
            if (!old.activeAt(now)) {
                return Optional.empty();
            }
            Instant oldExpiry = now.plus(grace);
            if (old.expiresAt() == null || old.expiresAt().isAfter(oldExpiry)) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET expires_at = ? WHERE id = ?")) {
                    ps.setObject(1, Store.utc(oldExpiry));
                    ps.setString(2, id);
                    ps.executeUpdate();
                }
            }
            return Optional.of(insert(c, old.name(), Role.valueOf(old.role().toUpperCase()), null));
        });
        reload();
        return issued;
    }

    /**
     * Makes {@code value} the environment's admin key, replacing an earlier value. The same value is left as it
     * is: a key revoked through the API stays revoked across restarts until HUB_ADMIN_KEY changes. Answers false
     * when that key is revoked.
     */
    public boolean seedEnvironmentAdminKey(String value) {
        Instant now = clock.instant();
        String hash = HexFormat.of().formatHex(sha256(value));
        Boolean active = store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT secret_hash, revoked_at FROM api_keys WHERE id = ? FOR UPDATE")) {
                ps.setString(1, ENVIRONMENT_KEY_ID);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && MessageDigest.isEqual(HexFormat.of().parseHex(rs.getString(1)), HexFormat.of().parseHex(hash))) {
                        return rs.getObject(2) == null;
                    }
                }
            }
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM api_keys WHERE id = ?")) {
                delete.setString(1, ENVIRONMENT_KEY_ID);
                delete.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO api_keys (id, name, role, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, ENVIRONMENT_KEY_ID);
                ps.setString(2, "HUB_ADMIN_KEY");
                ps.setString(3, Role.ADMIN.wireName());
                ps.setString(4, hash);
                ps.setObject(5, Store.utc(now));
                ps.executeUpdate();
            }
            return true;
        });
        reload();
        return active;
    }

    /** Creates the first admin key when no key exists at all; empty when there already is one. */
    public Optional<IssuedKey> createFirstAdminKeyIfNone() {
        Optional<IssuedKey> issued = store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM api_keys");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return Optional.empty();
                }
            }
            return Optional.of(insert(c, "admin", Role.ADMIN, null));
        });
        reload();
        return issued;
    }

    private IssuedKey insert(Connection c, String name, Role role, Instant expiresAt) throws SQLException {
        byte[] idBytes = new byte[ID_LENGTH / 2];
        random.nextBytes(idBytes);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String id = HexFormat.of().formatHex(idBytes);
        String value = PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO api_keys (id, name, role, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.setString(3, role.wireName());
            ps.setString(4, HexFormat.of().formatHex(sha256(value)));
            ps.setObject(5, Store.utc(now));
            ps.setObject(6, Store.utc(expiresAt));
            ps.executeUpdate();
        }
        return new IssuedKey(new ApiKeyView(id, name, role.wireName(), now, expiresAt, null), value);
    }

    private static ApiKeyView view(ResultSet rs) throws SQLException {
        return new ApiKeyView(rs.getString("id"), rs.getString("name"), rs.getString("role"),
                Store.instant(rs.getObject("created_at", java.time.OffsetDateTime.class)),
                Store.instant(rs.getObject("expires_at", java.time.OffsetDateTime.class)),
                Store.instant(rs.getObject("revoked_at", java.time.OffsetDateTime.class)));
    }

    /** The id part of a key of the hub's own shape, or null for any other value. */
    static String idOf(String value) {
        if (value.length() != PREFIX.length() + ID_LENGTH + 1 + 43 || !value.startsWith(PREFIX)
                || value.charAt(PREFIX.length() + ID_LENGTH) != '_') {
            return null;
        }
        String id = value.substring(PREFIX.length(), PREFIX.length() + ID_LENGTH);
        return id.chars().allMatch(ch -> Character.digit(ch, 16) >= 0 && !Character.isUpperCase(ch)) ? id : null;
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
