package io.integrationhub.integrations;

import io.integrationhub.delivery.InvalidMessageException;
import io.integrationhub.email.EmailAddress;

/**
 * Checks of what a caller sent, for YAML routes, as the bean {@code check}: a failed check is an
 * {@link InvalidMessageException} naming the field (a 422 from an API route, before anything is stored).
 * <pre>
 * - bean: { ref: check, method: "email(${body[email]}, email)" }
 * - bean: { ref: check, method: "text(${body[name]}, name, 200)" }
 * </pre>
 */
public class Checks {

    public static final String BEAN = "check";

    /** A single email address ({@code ann@example.com}). */
    public void email(Object value, String field) {
        if (value == null || value instanceof String blank && blank.isBlank()) {
            throw new InvalidMessageException(field, "is required");
        }
        if (!(value instanceof String text) || text.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidMessageException(field, "must be an email address");
        }
        try {
            EmailAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidMessageException(field, "must be an email address");
        }
    }

    /** Optional text of at most {@code max} characters, on one line (no control character: a CR/LF could end up in a header). */
    public void text(Object value, String field, int max) {
        if (value != null && !(value instanceof String)) {
            throw new InvalidMessageException(field, "must be text");
        }
        if (value != null && ((String) value).chars().anyMatch(Character::isISOControl)) {
            throw new InvalidMessageException(field, "must not contain control characters (line breaks, tabs)");
        }
        if (value != null && ((String) value).codePointCount(0, ((String) value).length()) > max) {
            throw new InvalidMessageException(field, "must be at most " + max + " characters");
        }
    }
}
