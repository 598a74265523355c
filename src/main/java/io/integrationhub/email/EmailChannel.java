package io.integrationhub.email;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.channel.Channel;

/**
 * Email as a channel: {@code POST /api/v1/email}, {@code direct:send-email}, {@code direct:enqueue-email}, and the
 * providers console, SMTP, SendGrid and Resend ({@code direct:email-<provider>}, each a route of its own).
 */
public final class EmailChannel implements Channel<EmailMessage> {

    public static final String NAME = "email";

    private final EmailMessages messages;

    public EmailChannel(EmailMessages messages) {
        this.messages = messages;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<EmailMessage> messageType() {
        return EmailMessage.class;
    }

    @Override
    public List<String> providers() {
        return List.of("console", "smtp", "sendgrid", "resend");
    }

    @Override
    public List<String> fields() {
        return List.of("to", "cc", "bcc", "from", "replyTo", "subject", "text", "html", "template", "tags", "metadata");
    }

    @Override
    public EmailMessage parse(JsonNode request, String path) {
        return messages.parse(request, path);
    }

    @Override
    public String summary(EmailMessage message) {
        return message.maskedSummary();
    }
}
