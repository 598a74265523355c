package io.integrationhub.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** What the schemes share: HMACs, constant-time comparison, timestamps within a tolerance, bounded header lists. */
final class Signatures {

    /** More signatures than this in one header is not a rotation but an attack on the verifier. */
    static final int MAX_SIGNATURES = 20;

    private Signatures() {
    }

    static byte[] hmac(String algorithm, byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
    }

    static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether {@code expected} equals one of the candidates, each compared in constant time. */
    static boolean matchesAny(byte[] expected, List<byte[]> candidates) {
        boolean matched = false;
        for (byte[] candidate : candidates) {
            matched |= MessageDigest.isEqual(expected, candidate);
        }
        return matched;
    }

    /** The bytes of a hex signature, or null when it is not hex. */
    static byte[] fromHex(String hex) {
        try {
            return HexFormat.of().parseHex(hex.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The bytes of a base64 signature, or null when it is not base64. */
    static byte[] fromBase64(String base64) {
        try {
            return Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A Unix timestamp in seconds within {@code tolerance} of now, or the failure. */
    static long timestamp(String value, Instant now, Duration tolerance) throws VerificationFailure {
        if (value == null || value.isBlank()) {
            throw new VerificationFailure("no timestamp");
        }
        long seconds;
        try {
            seconds = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new VerificationFailure("malformed timestamp");
        }
        long skew = now.getEpochSecond() - seconds;
        if (skew > tolerance.toSeconds()) {
            throw new VerificationFailure("timestamp too old (" + skew + " s)");
        }
        if (-skew > tolerance.toSeconds()) {
            throw new VerificationFailure("timestamp in the future (" + -skew + " s)");
        }
        return seconds;
    }

    static void requireSecrets(List<String> secrets) throws VerificationFailure {
        if (secrets == null || secrets.isEmpty()) {
            throw new VerificationFailure("the source has no secret");
        }
    }
}
