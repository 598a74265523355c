package io.integrationhub.webhooks;

import java.util.List;

/**
 * A sender the hub takes webhooks from, at {@code POST /webhooks/<name>}: how it signs ({@code scheme}), with which
 * secrets (several during a rotation), and, for a generic {@code hmac} source, the header naming its event ids.
 * A source without a secret does not exist: the hub never accepts an unverified event.
 */
public record WebhookSource(String name, String scheme, SignatureScheme signatures, List<String> secrets, String idHeader) {

    @Override
    public String toString() {
        // never the secrets
        return "WebhookSource[" + name + ", " + scheme + ", " + secrets.size() + " secret(s)]";
    }
}
