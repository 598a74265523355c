package io.integrationhub.email;

import java.util.List;
import java.util.Map;

/**
 * An email ready to hand to a provider: addresses parsed, template rendered, every field checked. This is what
 * {@code direct:send-email} sends and what the outbox stores.
 */
public record EmailMessage(
        EmailAddress from,
        List<EmailAddress> to,
        List<EmailAddress> cc,
        List<EmailAddress> bcc,
        EmailAddress replyTo,
        String subject,
        String text,
        String html,
        List<String> tags,
        Map<String, String> metadata) {

    public EmailMessage {
        to = List.copyOf(to);
        cc = cc == null ? List.of() : List.copyOf(cc);
        bcc = bcc == null ? List.of() : List.copyOf(bcc);
        tags = tags == null ? List.of() : List.copyOf(tags);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public int recipientCount() {
        return to.size() + cc.size() + bcc.size();
    }

    /** A one-line summary fit for logs: masked addresses, sizes instead of content. */
    public String maskedSummary() {
        return "to=" + to.stream().map(EmailAddress::masked).toList()
                + (cc.isEmpty() ? "" : " cc=" + cc.size())
                + (bcc.isEmpty() ? "" : " bcc=" + bcc.size())
                + " subject=" + subject.length() + " chars"
                + " text=" + (text == null ? 0 : text.length()) + " chars"
                + " html=" + (html == null ? 0 : html.length()) + " chars";
    }
}
