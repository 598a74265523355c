package io.integrationhub.sms;

import java.util.List;
import java.util.Map;

/**
 * An SMS ready to hand to a provider: the recipient in E.164, the body as rendered, its encoding and segment count
 * (what the carrier bills). {@code from} is an E.164 number or an alphanumeric sender id, or null for the
 * provider's configured sender. This is what {@code direct:send-sms} sends and what the outbox stores.
 */
public record SmsMessage(
        String to,
        String from,
        String body,
        List<String> mediaUrls,
        List<String> tags,
        Map<String, String> metadata,
        String encoding,
        int segments) {

    public SmsMessage {
        mediaUrls = mediaUrls == null ? List.of() : List.copyOf(mediaUrls);
        tags = tags == null ? List.of() : List.copyOf(tags);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** A one-line summary fit for logs: the number masked, sizes instead of content. */
    public String maskedSummary() {
        return "to=" + PhoneNumbers.mask(to) + " segments=" + segments + " encoding=" + encoding
                + " chars=" + (body == null ? 0 : body.codePointCount(0, body.length())) + " media=" + mediaUrls.size();
    }
}
