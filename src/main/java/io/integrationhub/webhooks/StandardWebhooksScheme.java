package io.integrationhub.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Standard Webhooks (the scheme of Svix-powered senders such as Resend and Clerk): headers {@code webhook-id},
 * {@code webhook-timestamp} and {@code webhook-signature} (or the same with {@code svix-}), the signature list
 * space-separated {@code v1,<base64>} items, each an HMAC-SHA256 of {@code id.timestamp.body} keyed with the
 * base64-decoded part of the {@code whsec_...} secret.
 */
public final class StandardWebhooksScheme implements SignatureScheme {

    private final Duration tolerance;

    public StandardWebhooksScheme(Duration tolerance) {
        this.tolerance = tolerance;
    }

    /** The event id the sender gave ({@code webhook-id} or {@code svix-id}). */
    static String id(SignedRequest request) {
        String id = request.header("webhook-id");
        return id != null ? id : request.header("svix-id");
    }

    @Override
    public List<String> headers() {
        return List.of("webhook-id", "webhook-timestamp", "webhook-signature", "svix-id", "svix-timestamp", "svix-signature");
    }

    @Override
    public void verify(SignedRequest request, List<String> secrets, Instant now) throws VerificationFailure {
        Signatures.requireSecrets(secrets);
        boolean svix = request.header("webhook-id") == null && request.header("svix-id") != null;
        String prefix = svix ? "svix-" : "webhook-";
        String id = request.header(prefix + "id");
        String timestamp = request.header(prefix + "timestamp");
        String value = request.header(prefix + "signature");
        if (id == null || id.isBlank()) {
            throw new VerificationFailure("no webhook-id header");
        }
        if (value == null || value.isBlank()) {
            throw new VerificationFailure("no webhook-signature header");
        }
        Signatures.timestamp(timestamp, now, tolerance);
        String[] items = value.trim().split(" +", Signatures.MAX_SIGNATURES + 1);
        if (items.length > Signatures.MAX_SIGNATURES) {
            throw new VerificationFailure("too many signatures in webhook-signature");
        }
        List<byte[]> signatures = new ArrayList<>();
        for (String item : items) {
            int comma = item.indexOf(',');
            if (comma <= 0) {
                throw new VerificationFailure("malformed webhook-signature item");
            }
            if (item.substring(0, comma).equals("v1")) {
                byte[] signature = Signatures.fromBase64(item.substring(comma + 1));
                if (signature == null) {
                    throw new VerificationFailure("a v1 signature is not base64");
                }
                signatures.add(signature);
            }
        }
        if (signatures.isEmpty()) {
            throw new VerificationFailure("no v1 signature in webhook-signature");
        }
        byte[] signed = Signatures.utf8(id + "." + timestamp.trim() + ".");
        for (String secret : secrets) {
            byte[] key = Signatures.fromBase64(secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret);
            if (key == null) {
                throw new VerificationFailure("a secret of the source is not whsec_<base64>");
            }
            if (Signatures.matchesAny(Signatures.hmac("HmacSHA256", key, signed, request.body()), signatures)) {
                return;
            }
        }
        throw new VerificationFailure("no v1 signature matches");
    }
}
