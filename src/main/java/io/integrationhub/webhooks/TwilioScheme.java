package io.integrationhub.webhooks;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Twilio's scheme: {@code X-Twilio-Signature} is the base64 HMAC-SHA1, keyed with the account's auth token, of the
 * full public URL (query included) followed by the form parameters sorted by name, each as name and value. A JSON
 * body is signed through the URL's {@code bodySHA256} parameter (the hex SHA-256 of the body) instead. Twilio may
 * sign the URL with or without the scheme's default port: both are tried.
 */
public final class TwilioScheme implements SignatureScheme {

    @Override
    public List<String> headers() {
        return List.of("X-Twilio-Signature", "I-Twilio-Idempotency-Token");
    }

    @Override
    public void verify(SignedRequest request, List<String> secrets, Instant now) throws VerificationFailure {
        Signatures.requireSecrets(secrets);
        String value = request.header("X-Twilio-Signature");
        if (value == null || value.isBlank()) {
            throw new VerificationFailure("no X-Twilio-Signature header");
        }
        byte[] signature = Signatures.fromBase64(value);
        if (signature == null) {
            throw new VerificationFailure("X-Twilio-Signature is not base64");
        }
        String url = request.publicUrl();
        StringBuilder parameters = new StringBuilder();
        if (request.isForm()) {
            List<Map.Entry<String, String>> sorted = new ArrayList<>(request.formParameters());
            sorted.sort(Map.Entry.<String, String>comparingByKey().thenComparing(Map.Entry.comparingByValue()));
            for (Map.Entry<String, String> parameter : sorted) {
                parameters.append(parameter.getKey()).append(parameter.getValue());
            }
        } else {
            String bodySha256 = queryParameter(url, "bodySHA256");
            if (bodySha256 == null) {
                throw new VerificationFailure("a body that is not a form, without bodySHA256 in the URL");
            }
            byte[] expected = Signatures.sha256(request.body());
            byte[] given = Signatures.fromHex(bodySha256);
            if (given == null || !MessageDigest.isEqual(expected, given)) {
                throw new VerificationFailure("the body does not match bodySHA256");
            }
        }
        for (String candidate : withAndWithoutDefaultPort(url)) {
            byte[] signed = Signatures.utf8(candidate + parameters);
            for (String secret : secrets) {
                if (Signatures.matchesAny(Signatures.hmac("HmacSHA1", Signatures.utf8(secret), signed), List.of(signature))) {
                    return;
                }
            }
        }
        throw new VerificationFailure("the X-Twilio-Signature signature does not match");
    }

    static List<String> withAndWithoutDefaultPort(String url) {
        URI uri = URI.create(url);
        int defaultPort = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        String authority = uri.getRawAuthority();
        String rest = url.substring(url.indexOf(authority) + authority.length());
        String base = uri.getScheme() + "://";
        if (uri.getPort() == -1) {
            return List.of(url, base + authority + ":" + defaultPort + rest);
        }
        if (uri.getPort() == defaultPort) {
            return List.of(url, base + authority.substring(0, authority.lastIndexOf(':')) + rest);
        }
        return List.of(url);
    }

    private static String queryParameter(String url, String name) {
        String query = URI.create(url).getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                return java.net.URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }


}
