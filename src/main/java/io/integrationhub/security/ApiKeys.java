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
import java.util.Locale;
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

    /** A key as listed; {@code allowedFrom} holds the domains it may send email from, empty for any. */
    public record ApiKeyView(String id, String name, String role, Instant createdAt, Instant expiresAt, Instant revokedAt,
                             List<String> allowedFrom) {
        public ApiKeyView {
            allowedFrom = allowedFrom == null ? List.of() : List.copyOf(allowedFrom);
        }

        public boolean activeAt(Instant now) {
            return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
        }
    }

    /** The name of the environment's admin key, reserved: no other key may take it, in any case or spacing. */
    public static final String ENVIRONMENT_KEY_NAME = "HUB_ADMIN_KEY";

    /** A name is held by one active key; rotation passes it on. Thrown when another key holds it. */
    public static final class NameInUseException extends RuntimeException {
        NameInUseException(String name) {
            super("an active key is named '" + name + "'");
        }
    }

    /** What names are compared as: trimmed, case-insensitively. */
    static String nameClaim(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }

    public static boolean isReservedName(String name) {
        return nameClaim(name).equals(nameClaim(ENVIRONMENT_KEY_NAME));
    }

    /**
     * Creates a key unless an active key has the name already, compared trimmed and case-insensitively (empty then).
     * The store's unique index on the name's claim decides, so hubs sharing a store cannot both create a name.
     */
    public Optional<IssuedKey> createWithUniqueName(String name, Role role) {
        return createWithUniqueName(name, role, List.of());
    }

    public Optional<IssuedKey> createWithUniqueName(String name, Role role, List<String> allowedFrom) {
        String trimmed = name.strip();
        if (isReservedName(trimmed)) {
            return Optional.empty();
        }
        IssuedKey issued;
        try {
            issued = store.inTransaction(c -> insert(c, trimmed, role, allowedFrom));
        } catch (RuntimeException e) {
            // the embedded store may give up waiting for the other transaction's uncommitted claim instead
            if (Store.isUniqueViolation(e) || Store.isLockTimeout(e)) {
                return Optional.empty();
            }
            throw e;
        }
        reload();
        return Optional.of(issued);
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
        Map<String, KnownKey> keys = snapshot;
        // HUB_ADMIN_KEY may have any shape, the hub's own included (a printed key pasted into a new deployment):
        // a value of that shape is the key of its id, or else the environment's
        KnownKey byId = id == null ? null : keys.get(id);
        KnownKey environment = keys.get(ENVIRONMENT_KEY_ID);
        boolean idMatches = MessageDigest.isEqual(presentedHash, byId == null ? NO_MATCH : byId.hash());
        boolean environmentMatches = MessageDigest.isEqual(presentedHash, environment == null ? NO_MATCH : environment.hash());
        Instant now = clock.instant();
        // the same value may be both (a revoked printed key made the environment's): the active one answers
        KnownKey known = idMatches && byId.view().activeAt(now) ? byId
                : environmentMatches && environment.view().activeAt(now) ? environment : null;
        if (known == null) {
            return Optional.empty();
        }
        ApiKeyView view = known.view();
        return Optional.of(new Caller(view.id(), view.name(), Role.valueOf(view.role().toUpperCase()), view.allowedFrom()));
    }

    private record KnownKey(ApiKeyView view, byte[] hash) {
    }

    private volatile Map<String, KnownKey> snapshot = Map.of();

    /** Reads every key from the store into memory. */
    public void reload() {
        snapshot = store.read(c -> {
            Map<String, KnownKey> keys = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, name, role, secret_hash, expires_at, revoked_at, created_at, allowed_from FROM api_keys");
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
                    "SELECT id, name, role, expires_at, revoked_at, created_at, allowed_from FROM api_keys ORDER BY created_at, id");
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
                    "UPDATE api_keys SET revoked_at = ?, name_claim = NULL WHERE id = ? AND revoked_at IS NULL")) {
                ps.setObject(1, store.time(now));
                ps.setString(2, id);
                return ps.executeUpdate() == 1;
            }
        });
        reload();
        return revoked;
    }

    /**
     * Issues a new key with the same name, role and allowed senders, which takes over the name; the old one keeps
     * working for the grace period and then expires. Empty when the old key does not exist or is no longer active;
     * {@link NameInUseException} when another hub passed the name on at the same moment.
     */
    public Optional<IssuedKey> rotate(String id, Duration grace) {
        Instant now = clock.instant();
        Optional<IssuedKey> issued;
        try {
            issued = rotateInStore(id, grace, now);
        } catch (RuntimeException e) {
            if (Store.isUniqueViolation(e) || Store.isLockTimeout(e)) {
                throw new NameInUseException(find(id).map(ApiKeyView::name).orElse(id));
            }
            throw e;
        }
        reload();
        return issued;
    }

    private Optional<IssuedKey> rotateInStore(String id, Duration grace, Instant now) {
        return store.inTransaction(c -> {
            ApiKeyView old;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, name, role, expires_at, revoked_at, created_at, allowed_from FROM api_keys WHERE id = ?" + store.lockRows())) {
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
                    ps.setObject(1, store.time(oldExpiry));
                    ps.setString(2, id);
                    ps.executeUpdate();
                }
            }
            // the new key takes the name over from whichever key holds it
            try (PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET name_claim = NULL WHERE name_claim = ?")) {
                ps.setString(1, nameClaim(old.name()));
                ps.executeUpdate();
            }
            return Optional.of(insert(c, old.name(), Role.valueOf(old.role().toUpperCase()), old.allowedFrom()));
        });
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
                    "SELECT secret_hash, revoked_at FROM api_keys WHERE id = ?" + store.lockRows())) {
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
                ps.setString(2, ENVIRONMENT_KEY_NAME);
                ps.setString(3, Role.ADMIN.wireName());
                ps.setString(4, hash);
                ps.setObject(5, store.time(now));
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
            return Optional.of(insert(c, "admin", Role.ADMIN, List.of()));
        });
        reload();
        return issued;
    }

    /** A new active key, holding its name. */
    private IssuedKey insert(Connection c, String name, Role role, List<String> allowedFrom) throws SQLException {
        byte[] idBytes = new byte[ID_LENGTH / 2];
        random.nextBytes(idBytes);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String id = HexFormat.of().formatHex(idBytes);
        String value = PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO api_keys (id, name, role, secret_hash, created_at, name_claim, allowed_from)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.setString(3, role.wireName());
            ps.setString(4, HexFormat.of().formatHex(sha256(value)));
            ps.setObject(5, store.time(now));
            ps.setString(6, nameClaim(name));
            ps.setString(7, allowedFrom.isEmpty() ? null : String.join(",", allowedFrom));
            ps.executeUpdate();
        }
        return new IssuedKey(new ApiKeyView(id, name, role.wireName(), now, null, null, allowedFrom), value);
    }

    private ApiKeyView view(ResultSet rs) throws SQLException {
        return new ApiKeyView(rs.getString("id"), rs.getString("name"), rs.getString("role"),
                store.instant(rs, "created_at"),
                store.instant(rs, "expires_at"),
                store.instant(rs, "revoked_at"),
                rs.getString("allowed_from") == null ? List.of() : List.of(rs.getString("allowed_from").split(",")));
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
