package io.integrationhub.webhooks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A webhook request exactly as it arrived: the raw body bytes (never a re-serialized body), the headers (names
 * compared case-insensitively), and the public URL it was sent to ({@code HUB_PUBLIC_URL} + path + query, never
 * built from the Host header).
 */
public record SignedRequest(byte[] body, Map<String, List<String>> headers, String publicUrl) {

    public SignedRequest {
        TreeMap<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> byName.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values));
        headers = byName;
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Whether the body is a form ({@code application/x-www-form-urlencoded}). */
    public boolean isForm() {
        String type = header("Content-Type");
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    /** The body's form parameters in the order received, repeated names kept; empty when it is not a form. */
    public List<Map.Entry<String, String>> formParameters() {
        return isForm() ? parseForm(new String(body, StandardCharsets.US_ASCII)) : new ArrayList<>();
    }

    /** The parameters of an {@code application/x-www-form-urlencoded} body, decoded, in order, repeats kept. */
    public static List<Map.Entry<String, String>> parseForm(String form) {
        List<Map.Entry<String, String>> parameters = new ArrayList<>();
        if (form == null || form.isEmpty()) {
            return parameters;
        }
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            parameters.add(Map.entry(decode(name), decode(value)));
        }
        return parameters;
    }

    private static String decode(String encoded) {
        return java.net.URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    }
}
