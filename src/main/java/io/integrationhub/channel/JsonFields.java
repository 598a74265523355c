package io.integrationhub.channel;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.delivery.FieldError;

/**
 * The field checks every channel's request shares: unknown fields, strings, tags and metadata. Each check adds
 * what is wrong to a list (named by its JSON path), so a request gets every error at once.
 */
public final class JsonFields {

    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int MAX_TAGS = 10;
    private static final int MAX_METADATA = 20;
    private static final int MAX_METADATA_VALUE = 256;

    private JsonFields() {
    }

    public static void refuseUnknown(JsonNode node, Set<String> known, String path, List<FieldError> errors) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                errors.add(new FieldError(path + name, "is not a known field"));
            }
        }
    }

    /** An optional string without NUL characters; null when absent. */
    public static String text(JsonNode node, String name, String path, List<FieldError> errors) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            errors.add(new FieldError(path + name, "must be a string"));
            return null;
        }
        if (value.textValue().indexOf('\0') >= 0) {
            errors.add(new FieldError(path + name, "must not contain NUL characters"));
            return null;
        }
        return value.textValue();
    }

    /** Template data: absent, or a JSON object. */
    public static JsonNode data(JsonNode node, String path, List<FieldError> errors) {
        JsonNode data = node.get("data");
        if (data == null || data.isNull()) {
            return null;
        }
        if (!data.isObject()) {
            errors.add(new FieldError(path + "data", "must be a JSON object"));
            return null;
        }
        return data;
    }

    public static List<String> tags(JsonNode node, String field, List<FieldError> errors) {
        return strings(node, field, MAX_TAGS, tag -> TAG.matcher(tag).matches(),
                "must be 1 to 64 letters, digits, '_' or '-'", errors);
    }

    /**
     * An optional array of at most {@code max} strings, each passing {@code valid}; an item that does not is named
     * ({@code mediaUrls[2]}) with {@code rule}.
     */
    public static List<String> strings(JsonNode node, String field, int max, Predicate<String> valid, String rule,
                                       List<FieldError> errors) {
        List<String> values = new ArrayList<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isArray()) {
            errors.add(new FieldError(field, "must be an array of strings"));
            return values;
        }
        if (node.size() > max) {
            errors.add(new FieldError(field, "has " + node.size() + " items; at most " + max + " are allowed"));
            return values;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (item.isTextual() && valid.test(item.textValue())) {
                values.add(item.textValue());
            } else {
                errors.add(new FieldError(field + "[" + i + "]", rule));
            }
        }
        return values;
    }

    public static Map<String, String> metadata(JsonNode node, String field, List<FieldError> errors) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return metadata;
        }
        if (!node.isObject()) {
            errors.add(new FieldError(field, "must be an object of strings"));
            return metadata;
        }
        if (node.size() > MAX_METADATA) {
            errors.add(new FieldError(field, "has more than " + MAX_METADATA + " entries"));
            return metadata;
        }
        node.fields().forEachRemaining(entry -> {
            String key = entry.getKey();
            JsonNode value = entry.getValue();
            if (!TAG.matcher(key).matches()) {
                errors.add(new FieldError(field + "." + key, "key must be 1 to 64 letters, digits, '_' or '-'"));
            } else if (!value.isTextual() || value.textValue().length() > MAX_METADATA_VALUE
                    || hasLineBreak(value.textValue())) {
                errors.add(new FieldError(field + "." + key, "must be a string of at most " + MAX_METADATA_VALUE
                        + " characters, one line"));
            } else {
                metadata.put(key, value.textValue());
            }
        });
        return metadata;
    }

    public static boolean hasLineBreak(String value) {
        return value != null && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0);
    }
}
