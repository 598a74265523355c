package io.integrationhub.sms;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.channel.Channel;

/**
 * SMS as a channel: {@code POST /api/v1/sms}, {@code direct:send-sms}, {@code direct:enqueue-sms}, and the
 * providers console and Twilio ({@link TwilioSmsRoutes}).
 */
public final class SmsChannel implements Channel<SmsMessage> {

    public static final String NAME = "sms";

    private final SmsMessages messages;

    public SmsChannel(SmsMessages messages) {
        this.messages = messages;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<SmsMessage> messageType() {
        return SmsMessage.class;
    }

    @Override
    public List<String> providers() {
        return List.of("console", "twilio");
    }

    @Override
    public List<String> fields() {
        return List.of("to", "from", "body", "template", "mediaUrls", "tags", "metadata");
    }

    @Override
    public SmsMessage parse(JsonNode request, String path) {
        return messages.parse(request, path);
    }

    @Override
    public String summary(SmsMessage message) {
        return message.maskedSummary();
    }
}
