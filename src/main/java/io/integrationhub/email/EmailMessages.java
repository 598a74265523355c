package io.integrationhub.email;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integrationhub.channel.JsonFields;
import io.integrationhub.delivery.FieldError;
import io.integrationhub.delivery.InvalidMessageException;

/**
 * Turns an email request (the JSON of {@code POST /api/v1/email}, or the same fields as a map from a route) into
 * an {@link EmailMessage}, or names every field that is wrong. Templates are rendered here, so what is stored and
 * shown is what the provider receives.
 */
public final class EmailMessages {

    private static final Set<String> FIELDS = Set.of("from", "to", "cc", "bcc", "replyTo", "subject", "text", "html",
            "template", "data", "tags", "metadata");
    private static final Set<String> ADDRESS_FIELDS = Set.of("email", "name");
    private static final int MAX_SUBJECT = 998;

    private final ObjectMapper json;
    private final EmailTemplates templates;
    private final String defaultFrom;
    private final int maxRecipients;
    private final int maxContentChars;

    public EmailMessages(ObjectMapper json, EmailTemplates templates, String defaultFrom, int maxRecipients,
                         int maxContentChars) {
        this.json = json;
        this.templates = templates;
        this.defaultFrom = defaultFrom;
        this.maxRecipients = maxRecipients;
        this.maxContentChars = maxContentChars;
    }

    /** Parses one request object; {@code path} prefixes field names (for batch items: {@code messages[3].}). */
    public EmailMessage parse(JsonNode node, String path) {
        List<FieldError> errors = new ArrayList<>();
        if (node == null || !node.isObject()) {
            throw new InvalidMessageException(path.isEmpty() ? "body" : path.substring(0, path.length() - 1),
                    "must be a JSON object");
        }
        JsonFields.refuseUnknown(node, FIELDS, path, errors);
        List<EmailAddress> to = addresses(node.get("to"), path + "to", true, errors);
        List<EmailAddress> cc = addresses(node.get("cc"), path + "cc", false, errors);
        List<EmailAddress> bcc = addresses(node.get("bcc"), path + "bcc", false, errors);
        int recipients = to.size() + cc.size() + bcc.size();
        if (recipients > maxRecipients) {
            errors.add(new FieldError(path + "to", "has " + recipients + " recipients with cc and bcc; at most "
                    + maxRecipients + " are allowed"));
        }
        EmailAddress from = node.has("from") ? single(node.get("from"), path + "from", errors) : defaultFrom(path, errors);
        EmailAddress replyTo = node.has("replyTo") ? single(node.get("replyTo"), path + "replyTo", errors) : null;

        String subject = JsonFields.text(node, "subject", path, errors);
        String text = JsonFields.text(node, "text", path, errors);
        String html = JsonFields.text(node, "html", path, errors);
        String template = JsonFields.text(node, "template", path, errors);
        JsonNode data = JsonFields.data(node, path, errors);
        if (template != null) {
            if (text != null || html != null) {
                errors.add(new FieldError(path + "template", "cannot be combined with text or html"));
            } else if (!templates.exists(template)) {
                errors.add(new FieldError(path + "template", "is not a known template"));
            } else if (errors.isEmpty()) {
                EmailTemplates.Rendered rendered = templates.render(template, data == null
                        ? Map.of() : json.convertValue(data, Map.class));
                subject = subject != null ? subject : rendered.subject();
                text = rendered.text();
                html = rendered.html();
                if (hasLineBreak(subject)) {
                    errors.add(new FieldError(path + "data", "renders a subject with a line break"));
                }
            }
        } else {
            if (data != null) {
                errors.add(new FieldError(path + "data", "is only used with template"));
            }
            if (text == null && html == null) {
                errors.add(new FieldError(path + "text", "text or html is required (or a template)"));
            }
        }
        if (subject == null || subject.isBlank()) {
            if (template == null) {
                errors.add(new FieldError(path + "subject", "is required"));
            }
        } else if (hasLineBreak(subject)) {
            errors.add(new FieldError(path + "subject", "must not contain line breaks"));
        } else if (subject.length() > MAX_SUBJECT) {
            errors.add(new FieldError(path + "subject", "is longer than " + MAX_SUBJECT + " characters"));
        }
        int content = (text == null ? 0 : text.length()) + (html == null ? 0 : html.length());
        if (content > maxContentChars) {
            errors.add(new FieldError(path + (html != null ? "html" : "text"), "content is longer than "
                    + maxContentChars + " characters"));
        }
        List<String> tags = JsonFields.tags(node.get("tags"), path + "tags", errors);
        Map<String, String> metadata = JsonFields.metadata(node.get("metadata"), path + "metadata", errors);
        if (!errors.isEmpty()) {
            throw new InvalidMessageException(errors);
        }
        return new EmailMessage(from, to, cc, bcc, replyTo, subject, text, html, tags, metadata);
    }

    private EmailAddress defaultFrom(String path, List<FieldError> errors) {
        if (defaultFrom == null || defaultFrom.isBlank()) {
            errors.add(new FieldError(path + "from", "is required (no EMAIL_FROM is configured)"));
            return null;
        }
        EmailAddress parsed = defaultFromAddress;
        if (parsed == null) {
            // parsed once, on the first message that needs it (a bad EMAIL_FROM fails that message, as before)
            parsed = EmailAddress.parse(defaultFrom);
            defaultFromAddress = parsed;
        }
        return parsed;
    }

    private volatile EmailAddress defaultFromAddress;

    private static List<EmailAddress> addresses(JsonNode node, String field, boolean required, List<FieldError> errors) {
        List<EmailAddress> result = new ArrayList<>();
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(new FieldError(field, "is required"));
            }
            return result;
        }
        if (node.isArray()) {
            if (node.isEmpty() && required) {
                errors.add(new FieldError(field, "needs at least one address"));
            }
            // Stop early on absurd lists: the recipient limit reports the count, nobody needs 10 000 errors.
            int checked = 0;
            for (JsonNode item : node) {
                if (checked++ >= 1000) {
                    result.add(null);
                    continue;
                }
                EmailAddress address = single(item, field + "[" + (checked - 1) + "]", errors);
                result.add(address);
            }
            return result;
        }
        EmailAddress address = single(node, field, errors);
        result.add(address);
        return result;
    }

    private static EmailAddress single(JsonNode node, String field, List<FieldError> errors) {
        try {
            if (node.isTextual()) {
                return EmailAddress.parse(node.textValue());
            }
            if (node.isObject() && node.path("email").isTextual()) {
                JsonNode name = node.get("name");
                if (name != null && !name.isNull() && !name.isTextual()) {
                    errors.add(new FieldError(field + ".name", "must be a string"));
                    return null;
                }
                JsonFields.refuseUnknown(node, ADDRESS_FIELDS, field + ".", errors);
                return EmailAddress.of(node.get("email").textValue(), name == null ? null : name.textValue());
            }
            errors.add(new FieldError(field, "must be an email address string or {\"email\", \"name\"}"));
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(field, e.getMessage()));
        }
        return null;
    }

    private static boolean hasLineBreak(String value) {
        return JsonFields.hasLineBreak(value);
    }
}
