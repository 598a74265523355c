package io.integrationhub.testing;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signature headers as the providers compute them, for a body sent now. */
public final class WebhookSignatures {

    private WebhookSignatures() {
    }

    /** {@code Stripe-Signature: t=<now>,v1=<hex HMAC-SHA256 of "t.body" keyed with the whole whsec_ secret>}. */
    public static String stripe(String secret, String body) {
        String t = String.valueOf(System.currentTimeMillis() / 1000);
        return "t=" + t + ",v1=" + hmacSha256Hex(secret, t + "." + body);
    }

    /** {@code Calendly-Webhook-Signature}: the same shape and computation as Stripe's, with the signing key. */
    public static String calendly(String signingKey, String body) {
        return stripe(signingKey, body);
    }

    public static String hmacSha256Hex(String key, String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
