package io.integrationhub.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A body signed with a shared secret: one header holding an HMAC (sha1, sha256 or sha512) in hex or base64, with an
 * optional prefix ({@code sha256=}); with a timestamp header, the signed content is {@code timestamp.body} and the
 * timestamp must be within the tolerance. GitHub's scheme is one: {@code X-Hub-Signature-256: sha256=<hex>}.
 */
public final class HmacScheme implements SignatureScheme {

    private final String header;
    private final String algorithm;
    private final boolean base64;
    private final String prefix;
    private final String timestampHeader;
    private final Duration tolerance;

    /**
     * @param algorithm sha1, sha256 or sha512
     * @param encoding hex or base64
     * @param prefix what precedes the signature in the header (e.g. {@code sha256=}), or empty
     * @param timestampHeader the header of a signed timestamp, or null
     */
    public HmacScheme(String header, String algorithm, String encoding, String prefix, String timestampHeader,
            Duration tolerance) {
        this.header = require(header, "header");
        this.algorithm = switch (require(algorithm, "algorithm").toLowerCase(Locale.ROOT)) {
            case "sha1" -> "HmacSHA1";
            case "sha256" -> "HmacSHA256";
            case "sha512" -> "HmacSHA512";
            default -> throw new IllegalArgumentException("algorithm must be sha1, sha256 or sha512, not " + algorithm);
        };
        this.base64 = switch (require(encoding, "encoding").toLowerCase(Locale.ROOT)) {
            case "hex" -> false;
            case "base64" -> true;
            default -> throw new IllegalArgumentException("encoding must be hex or base64, not " + encoding);
        };
        this.prefix = prefix == null ? "" : prefix;
        this.timestampHeader = timestampHeader == null || timestampHeader.isBlank() ? null : timestampHeader;
        this.tolerance = tolerance;
    }

    public static HmacScheme github() {
        return new HmacScheme("X-Hub-Signature-256", "sha256", "hex", "sha256=", null, Duration.ZERO);
    }

    private static String require(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the " + name + " of an hmac source is required");
        }
        return value.trim();
    }

    @Override
    public List<String> headers() {
        return timestampHeader == null ? List.of(header) : List.of(header, timestampHeader);
    }

    @Override
    public void verify(SignedRequest request, List<String> secrets, Instant now) throws VerificationFailure {
        Signatures.requireSecrets(secrets);
        String value = request.header(header);
        if (value == null || value.isBlank()) {
            throw new VerificationFailure("no " + header + " header");
        }
        value = value.trim();
        if (!value.startsWith(prefix)) {
            throw new VerificationFailure(header + " does not start with its prefix");
        }
        String encoded = value.substring(prefix.length());
        byte[] signature = base64 ? Signatures.fromBase64(encoded) : Signatures.fromHex(encoded);
        if (signature == null) {
            throw new VerificationFailure(header + " is not " + (base64 ? "base64" : "hex"));
        }
        byte[] signedPrefix = new byte[0];
        if (timestampHeader != null) {
            String timestamp = request.header(timestampHeader);
            Signatures.timestamp(timestamp, now, tolerance);
            signedPrefix = Signatures.utf8(timestamp.trim() + ".");
        }
        for (String secret : secrets) {
            byte[] expected = Signatures.hmac(algorithm, Signatures.utf8(secret), signedPrefix, request.body());
            if (Signatures.matchesAny(expected, List.of(signature))) {
                return;
            }
        }
        throw new VerificationFailure("the " + header + " signature does not match");
    }
}
