package io.integrationhub;

import org.apache.camel.CamelContext;

/**
 * Reads the hub's settings: application.properties, overridden by environment variables (db.url by DB_URL).
 * An empty value counts as unset, so {@code EMAIL_FALLBACK_PROVIDER=} means "none".
 */
public final class Settings {

    private Settings() {
    }

    public static String get(CamelContext camelContext, String key, String defaultValue) {
        return camelContext.getPropertiesComponent().resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty())
                .orElse(defaultValue);
    }

    public static long number(CamelContext camelContext, String key, long defaultValue) {
        String value = get(camelContext, key, null);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting " + key + " must be a whole number, not '" + value + "'");
        }
    }
}
