package io.integrationhub.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Stripe's scheme, which Calendly follows: a header {@code t=<unix seconds>,v1=<hex>[,v1=<hex>...]}, the signature an
 * HMAC-SHA256 of {@code t + "." + body} keyed with the whole secret string ({@code whsec_...} for Stripe). Other
 * versions ({@code v0}) are ignored; several {@code v1} are accepted (Stripe sends one per active secret).
 */
public final class TimestampedSignatureScheme implements SignatureScheme {

    private final String header;
    private final Duration tolerance;

    TimestampedSignatureScheme(String header, Duration tolerance) {
        this.header = header;
        this.tolerance = tolerance;
    }

    public static TimestampedSignatureScheme stripe(Duration tolerance) {
        return new TimestampedSignatureScheme("Stripe-Signature", tolerance);
    }

    public static TimestampedSignatureScheme calendly(Duration tolerance) {
        return new TimestampedSignatureScheme("Calendly-Webhook-Signature", tolerance);
    }

    @Override
    public List<String> headers() {
        return List.of(header);
    }

    @Override
    public void verify(SignedRequest request, List<String> secrets, Instant now) throws VerificationFailure {
        Signatures.requireSecrets(secrets);
        String value = request.header(header);
        if (value == null || value.isBlank()) {
            throw new VerificationFailure("no " + header + " header");
        }
        String timestamp = null;
        List<byte[]> signatures = new ArrayList<>();
        String[] items = value.split(",", Signatures.MAX_SIGNATURES * 2 + 2);
        if (items.length > Signatures.MAX_SIGNATURES * 2 + 1) {
            throw new VerificationFailure("too many items in " + header);
        }
        for (String item : items) {
            int equals = item.indexOf('=');
            if (equals <= 0) {
                throw new VerificationFailure("malformed " + header + " header");
            }
            String key = item.substring(0, equals).trim();
            String part = item.substring(equals + 1).trim();
            if (key.equals("t")) {
                timestamp = part;
            } else if (key.equals("v1")) {
                byte[] signature = Signatures.fromHex(part);
                if (signature == null) {
                    throw new VerificationFailure("a v1 signature is not hex");
                }
                signatures.add(signature);
            }
        }
        if (signatures.isEmpty()) {
            throw new VerificationFailure("no v1 signature in " + header);
        }
        Signatures.timestamp(timestamp, now, tolerance);
        for (String secret : secrets) {
            byte[] expected = Signatures.hmac("HmacSHA256", Signatures.utf8(secret), Signatures.utf8(timestamp + "."), request.body());
            if (Signatures.matchesAny(expected, signatures)) {
                return;
            }
        }
        throw new VerificationFailure("no v1 signature matches");
    }
}
