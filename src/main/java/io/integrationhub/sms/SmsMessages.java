package io.integrationhub.sms;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.channel.JsonFields;
import io.integrationhub.channel.MustacheTemplates;
import io.integrationhub.delivery.FieldError;
import io.integrationhub.delivery.InvalidMessageException;

/**
 * Turns an SMS request ({@code POST /api/v1/sms}, or the same fields from a route) into an {@link SmsMessage}, or
 * names every field that is wrong: the number through libphonenumber, the body from a template when one is named
 * ({@code templates/sms/<name>.mustache}, plain text), its segments counted and limited.
 */
public final class SmsMessages {

    /** Twilio's limit on a message body, in characters. */
    static final int MAX_BODY_CHARS = 1600;
    /** Twilio takes at most ten media URLs per message. */
    static final int MAX_MEDIA = 10;
    private static final Set<String> FIELDS = Set.of("to", "from", "body", "template", "data", "mediaUrls", "tags",
            "metadata");
    /** Alphanumeric sender ids: up to 11 letters, digits and spaces, at least one letter. */
    private static final Pattern SENDER_ID = Pattern.compile("(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}");

    private final ObjectMapper json = new ObjectMapper();
    private final MustacheTemplates templates;
    private final String defaultRegion;
    private final int maxSegments;

    public SmsMessages(Path templatesFolder, String defaultRegion, int maxSegments) {
        this.templates = new MustacheTemplates(templatesFolder);
        this.defaultRegion = defaultRegion;
        this.maxSegments = maxSegments;
    }

    public SmsMessage parse(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new InvalidMessageException(path.isEmpty() ? "body" : path.substring(0, path.length() - 1),
                    "must be a JSON object");
        }
        List<FieldError> errors = new ArrayList<>();
        JsonFields.refuseUnknown(node, FIELDS, path, errors);
        String to = number(JsonFields.text(node, "to", path, errors), path + "to", errors);
        String from = sender(JsonFields.text(node, "from", path, errors), path + "from", errors);
        String body = JsonFields.text(node, "body", path, errors);
        String template = JsonFields.text(node, "template", path, errors);
        JsonNode data = JsonFields.data(node, path, errors);
        List<String> mediaUrls = JsonFields.strings(node.get("mediaUrls"), path + "mediaUrls", MAX_MEDIA,
                SmsMessages::isPublicUrl, "must be an absolute http or https URL of at most 2048 characters", errors);
        if (template != null) {
            if (body != null) {
                errors.add(new FieldError(path + "template", "cannot be combined with body"));
            } else if (!templates.exists(template, ".mustache")) {
                errors.add(new FieldError(path + "template", "is not a known template"));
            } else if (errors.isEmpty()) {
                body = templates.render(template, ".mustache", data == null ? Map.of() : json.convertValue(data, Map.class),
                        false).strip();
            }
        } else if (data != null) {
            errors.add(new FieldError(path + "data", "is only used with template"));
        }
        SmsSegments.Count count = SmsSegments.of(body == null ? "" : body);
        String bodyField = path + (template != null ? "data" : "body");
        if ((body == null || body.isBlank()) && mediaUrls.isEmpty() && template == null) {
            errors.add(new FieldError(path + "body", "is required (or a template, or mediaUrls)"));
        } else if (count.characters() > MAX_BODY_CHARS) {
            errors.add(new FieldError(bodyField, "is " + count.characters() + " characters long; at most "
                    + MAX_BODY_CHARS + " are allowed"));
        } else if (count.segments() > maxSegments) {
            errors.add(new FieldError(bodyField, "needs " + count.segments() + " segments (" + count.encoding()
                    + "); at most " + maxSegments + " are allowed"));
        }
        List<String> tags = JsonFields.tags(node.get("tags"), path + "tags", errors);
        Map<String, String> metadata = JsonFields.metadata(node.get("metadata"), path + "metadata", errors);
        if (!errors.isEmpty()) {
            throw new InvalidMessageException(errors);
        }
        return new SmsMessage(to, from, body, mediaUrls, tags, metadata, count.encoding(), count.segments());
    }

    private String number(String value, String field, List<FieldError> errors) {
        if (value == null) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        try {
            return PhoneNumbers.toE164(value, defaultRegion);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(field, e.getMessage()));
            return null;
        }
    }

    private String sender(String value, String field, List<FieldError> errors) {
        if (value == null) {
            return null;
        }
        if (SENDER_ID.matcher(value).matches()) {
            return value;
        }
        return number(value, field, errors);
    }

    private static boolean isPublicUrl(String value) {
        if (value.length() > 2048 || value.chars().anyMatch(ch -> ch <= 0x20 || ch == 0x7f)) {
            return false;
        }
        try {
            URI uri = new URI(value);
            return ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null && uri.getUserInfo() == null;
        } catch (Exception e) {
            return false;
        }
    }
}
