package io.integrationhub;

import java.time.Duration;
import java.util.Optional;

import org.apache.camel.CamelContext;

/**
 * Reads the hub's settings. Their defaults live in one place, {@code application.properties} on the classpath; a
 * file of the same name in the working directory and environment variables ({@code db.url} by {@code DB_URL})
 * override them. Java code carries no defaults of its own: a setting missing from all of them is a mistake in the
 * build, reported at start. An empty value counts as unset, so {@code EMAIL_FALLBACK_PROVIDER=} means "none".
 */
public final class Settings {

    private Settings() {
    }

    /** A setting that has a default: its value, or a start failure naming it. */
    public static String get(CamelContext camelContext, String key) {
        return find(camelContext, key).orElseThrow(() -> new IllegalStateException(
                "setting " + key + " (" + variable(key) + ") is not set"));
    }

    /** A setting that may be empty (secrets, optional features): its value, or "". */
    public static String optional(CamelContext camelContext, String key) {
        return find(camelContext, key).orElse("");
    }

    /** The first of the keys that is set: a channel's own setting before the hub-wide one. */
    public static String first(CamelContext camelContext, String... keys) {
        for (String key : keys) {
            Optional<String> value = find(camelContext, key);
            if (value.isPresent()) {
                return value.get();
            }
        }
        throw new IllegalStateException("setting " + keys[keys.length - 1] + " (" + variable(keys[keys.length - 1])
                + ") is not set");
    }

    public static long number(CamelContext camelContext, String key) {
        return parseNumber(key, get(camelContext, key));
    }

    public static boolean flag(CamelContext camelContext, String key) {
        return Boolean.parseBoolean(get(camelContext, key));
    }

    public static long parseNumber(String key, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting " + key + " must be a whole number, not '" + value + "'");
        }
    }

    /** A duration written as {@code 250ms}, {@code 5s}, {@code 30m}, {@code 2h} or {@code 1d}. */
    public static Duration parseDuration(String key, String value) {
        String text = value.trim().toLowerCase(java.util.Locale.ROOT);
        // a negative wait would not wait at all (a retry schedule of -5s retries in a tight loop)
        if (text.startsWith("-")) {
            throw new IllegalArgumentException("setting " + key + " must be durations such as 500ms, 5s, 30m or 2h "
                    + "(not negative), not '" + value + "'");
        }
        try {
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2).trim()));
            }
            long amount = Long.parseLong(text.substring(0, text.length() - 1).trim());
            switch (text.charAt(text.length() - 1)) {
                case 's': return Duration.ofSeconds(amount);
                case 'm': return Duration.ofMinutes(amount);
                case 'h': return Duration.ofHours(amount);
                case 'd': return Duration.ofDays(amount);
                default: break;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new IllegalArgumentException("setting " + key + " must be durations such as 500ms, 5s, 30m or 2h, not '"
                + value + "'");
    }

    /** The environment variable that overrides a key: {@code email.smtp.rate} is {@code EMAIL_SMTP_RATE}. */
    public static String variable(String key) {
        return key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Optional<String> find(CamelContext camelContext, String key) {
        return camelContext.getPropertiesComponent().resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty());
    }
}
