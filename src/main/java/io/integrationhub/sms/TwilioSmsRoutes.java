package io.integrationhub.sms;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.Settings;
import io.integrationhub.channel.ChannelRoutes;
import io.integrationhub.delivery.DeliveryResult;
import io.integrationhub.delivery.HttpProvider;
import io.integrationhub.delivery.HttpProviderResponses;
import io.integrationhub.delivery.PermanentDeliveryException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * Twilio's Messages API: {@code POST {TWILIO_BASE_URL}/2010-04-01/Accounts/{sid}/Messages.json}, form-encoded
 * {@code To}, {@code From} ({@code TWILIO_PHONE_NUMBER} or the message's own) or {@code MessagingServiceSid},
 * {@code Body}, {@code MediaUrl} (repeated) and {@code StatusCallback} ({@code HUB_PUBLIC_URL/webhooks/twilio});
 * HTTP Basic auth with the account SID and auth token. The answer's {@code sid} is kept, so a status callback finds
 * its message. Twilio's errors ({@code {code, message, more_info, status}}) are mapped: 401/403 are refused
 * credentials (final, and not held against the breaker); 429 (code 20429), 408 and 5xx are retried honouring
 * Retry-After; any other 4xx (21211 invalid To, 21408 region not enabled, 21610 unsubscribed recipient, 21614 not a
 * mobile number, ...) refuses the message with Twilio's code and reason.
 */
public class TwilioSmsRoutes extends RouteBuilder {

    static final String PROVIDER = "sms-twilio";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ACCOUNT_SID = Pattern.compile("AC[0-9a-fA-F]{32}");
    /** Numbers in Twilio's reasons ("The 'To' number +1415... is not valid") are masked before they are logged. */
    private static final Pattern NUMBER = Pattern.compile("\\+?\\d[\\d ()-]{6,}\\d");
    private static final int MAX_REASON = 300;

    @Override
    public void configure() {
        String sid = Settings.optional(getContext(), "twilio.account-sid");
        String token = Settings.optional(getContext(), "twilio.auth-token");
        String phoneNumber = Settings.optional(getContext(), "twilio.phone-number");
        String messagingService = Settings.optional(getContext(), "twilio.messaging-service-sid");
        String publicUrl = Settings.optional(getContext(), "hub.public-url").replaceAll("/+$", "");
        if (List.of(Settings.optional(getContext(), "sms.provider"), Settings.optional(getContext(), "sms.fallback-provider"))
                .contains("twilio")) {
            // fail at start, not at the first message
            if (!ACCOUNT_SID.matcher(sid).matches() || token.isEmpty()) {
                throw new IllegalArgumentException("SMS_PROVIDER twilio needs TWILIO_ACCOUNT_SID (AC followed by 32 "
                        + "hex digits) and TWILIO_AUTH_TOKEN");
            }
            if (phoneNumber.isEmpty() && messagingService.isEmpty()) {
                throw new IllegalArgumentException("SMS_PROVIDER twilio needs TWILIO_PHONE_NUMBER or TWILIO_MESSAGING_SERVICE_SID");
            }
        }
        String account = ACCOUNT_SID.matcher(sid).matches() ? sid : "unset";
        String authorization = account.equals("unset") || token.isEmpty() ? "" : "Basic " + Base64.getEncoder()
                .encodeToString((sid + ":" + token).getBytes(StandardCharsets.UTF_8));
        HttpProvider.configure(this, PROVIDER,
                Settings.get(getContext(), "twilio.base-url") + "/2010-04-01/Accounts/" + account + "/Messages.json",
                authorization, "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
                e -> HttpProvider.form(form(e.getProperty(ChannelRoutes.MESSAGE, SmsMessage.class), phoneNumber,
                        messagingService, publicUrl)),
                TwilioSmsRoutes::answer);
    }

    static List<Map.Entry<String, String>> form(SmsMessage m, String phoneNumber, String messagingService,
                                                String publicUrl) {
        List<Map.Entry<String, String>> form = new ArrayList<>();
        form.add(Map.entry("To", m.to()));
        if (m.from() != null) {
            form.add(Map.entry("From", m.from()));
        } else if (!messagingService.isEmpty()) {
            form.add(Map.entry("MessagingServiceSid", messagingService));
        } else if (!phoneNumber.isEmpty()) {
            form.add(Map.entry("From", phoneNumber));
        } else {
            throw new PermanentDeliveryException(PROVIDER, "TWILIO_PHONE_NUMBER or TWILIO_MESSAGING_SERVICE_SID is not set");
        }
        if (m.body() != null && !m.body().isEmpty()) {
            form.add(Map.entry("Body", m.body()));
        }
        m.mediaUrls().forEach(url -> form.add(Map.entry("MediaUrl", url)));
        if (!publicUrl.isEmpty()) {
            form.add(Map.entry("StatusCallback", publicUrl + "/webhooks/twilio"));
        }
        return form;
    }

    /** Twilio's answer: 201 with the message's {@code sid}, or its documented error body. */
    static DeliveryResult answer(Exchange e) {
        Integer status = e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String body = e.getMessage().getBody(String.class);
        JsonNode json = readJson(body);
        if (status != null && status >= 200 && status < 300) {
            String sid = json.path("sid").asText("");
            if (sid.isEmpty()) {
                // accepted, but the answer cannot tie a receipt to the message: keep it sent, without an id
                return new DeliveryResult(PROVIDER, null, "Twilio's answer had no sid");
            }
            return new DeliveryResult(PROVIDER, sid);
        }
        String code = json.path("code").isNumber() || json.path("code").isTextual() ? json.path("code").asText() : null;
        String reason = "HTTP " + status + (code == null ? "" : ", Twilio error " + code)
                + reason(json.path("message").asText(""));
        if (status != null && (status == 401 || status == 403)) {
            throw new PermanentDeliveryException(PROVIDER, "Twilio refused the hub's credentials (" + reason + ")", code);
        }
        throw HttpProviderResponses.failure(PROVIDER, e, reason, code);
    }

    private static JsonNode readJson(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (Exception notJson) {
            return JSON.createObjectNode();
        }
    }

    private static String reason(String message) {
        if (message.isBlank()) {
            return "";
        }
        String line = message.replaceAll("\\s+", " ").trim();
        Matcher numbers = NUMBER.matcher(line);
        StringBuilder masked = new StringBuilder();
        while (numbers.find()) {
            String digits = numbers.group().replaceAll("[^\\d+]", "");
            numbers.appendReplacement(masked, Matcher.quoteReplacement(
                    PhoneNumbers.mask(digits.startsWith("+") ? digits : "+" + digits)));
        }
        numbers.appendTail(masked);
        String text = masked.toString();
        return ": " + (text.length() > MAX_REASON ? text.substring(0, MAX_REASON) + "..." : text);
    }
}
