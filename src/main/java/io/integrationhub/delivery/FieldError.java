package io.integrationhub.delivery;

/** One thing wrong with a message, named by its JSON path (for example {@code to[2]} or {@code subject}). */
public record FieldError(String field, String message) {
}
