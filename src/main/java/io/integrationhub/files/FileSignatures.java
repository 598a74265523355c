package io.integrationhub.files;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.integrationhub.store.Store;

/**
 * Signed file URLs of the local provider: HMAC-SHA256 over the method, the app, the key and the expiry, with a key
 * the hub generates at first start and keeps in its store (so every hub on one store, and every restart, agrees).
 * Compared in constant time; expired or tampered signatures are refused alike.
 */
public final class FileSignatures {

    private static final String SECRET = "files-signing-key";

    private final byte[] key;
    private final Clock clock;

    private FileSignatures(byte[] key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    /** The store's signing key, made on first use. */
    public static FileSignatures of(Store store, Clock clock) {
        String value = store.inTransaction(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT value FROM hub_secrets WHERE name = ?")) {
                select.setString(1, SECRET);
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next()) {
                        return rs.getString(1);
                    }
                }
            }
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            String encoded = Base64.getEncoder().encodeToString(fresh);
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO hub_secrets (name, value, created_at) VALUES (?, ?, ?)")) {
                insert.setString(1, SECRET);
                insert.setString(2, encoded);
                insert.setObject(3, store.time(clock.instant()));
                insert.executeUpdate();
            }
            return encoded;
        });
        return new FileSignatures(Base64.getDecoder().decode(value), clock);
    }

    public String sign(String method, String app, String fileKey, long expiresEpochSeconds) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((method + "\n" + app + "\n" + fileKey + "\n" + expiresEpochSeconds).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the signature is this hub's for the request, and not expired. */
    public boolean verify(String method, String app, String fileKey, String expires, String signature) {
        if (expires == null || signature == null || !expires.matches("[0-9]{1,12}") || !signature.matches("[0-9a-f]{64}")) {
            return false;
        }
        long expiresAt = Long.parseLong(expires);
        boolean valid = MessageDigest.isEqual(sign(method, app, fileKey, expiresAt).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
        return valid && Instant.ofEpochSecond(expiresAt).isAfter(clock.instant());
    }
}
