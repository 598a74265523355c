package io.integrationhub.files;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import io.integrationhub.delivery.InvalidMessageException;

/**
 * File keys: 1 to 1,024 bytes of UTF-8, as a path of segments ({@code invoices/2026/11.pdf}). Refused, in whatever
 * encoding they arrive (percent-encoded once or twice, overlong or otherwise malformed UTF-8): a {@code .} or
 * {@code ..} segment, an empty segment, a leading or trailing {@code /}, a backslash, a control character.
 */
public final class FileKeys {

    public static final int MAX_BYTES = 1024;

    private FileKeys() {
    }

    /** A key as it came in a URL path: percent-decoded once, strictly (malformed UTF-8 is refused), then checked. */
    public static String fromPath(String encoded, String field) {
        return check(decode(encoded, field), field);
    }

    /** A key as given (a JSON string, a route's header): checked. */
    public static String check(String key, String field) {
        if (key == null || key.isEmpty()) {
            throw new InvalidMessageException(field, "is required: 1 to " + MAX_BYTES + " bytes of UTF-8");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new InvalidMessageException(field, "is longer than " + MAX_BYTES + " bytes of UTF-8");
        }
        if (key.codePoints().anyMatch(cp -> Character.isISOControl(cp) || cp == '\\' || cp == 0xFFFD
                || Character.getType(cp) == Character.SURROGATE)) {
            throw new InvalidMessageException(field, "must not contain control characters, backslashes or broken characters");
        }
        if (key.startsWith("/") || key.endsWith("/")) {
            throw new InvalidMessageException(field, "must not start or end with /");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new InvalidMessageException(field, "must not have empty, . or .. segments");
            }
        }
        // what a second decoding would turn into a separator, a dot segment or a control character
        String lower = key.toLowerCase(Locale.ROOT);
        for (String encoded : new String[] {"%2e", "%2f", "%5c", "%00", "%c0", "%c1", "%e0%80", "%25"}) {
            if (lower.contains(encoded)) {
                throw new InvalidMessageException(field, "must not contain percent-encoded separators, dots or controls");
            }
        }
        return key;
    }

    /** Percent-decoding of one path value: {@code +} stays a plus; malformed escapes or UTF-8 are refused. */
    static String decode(String encoded, String field) {
        if (encoded == null) {
            throw new InvalidMessageException(field, "is required");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char ch = encoded.charAt(i);
            if (ch == '%') {
                if (i + 2 >= encoded.length()) {
                    throw new InvalidMessageException(field, "is not correctly percent-encoded");
                }
                int high = Character.digit(encoded.charAt(i + 1), 16);
                int low = Character.digit(encoded.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new InvalidMessageException(field, "is not correctly percent-encoded");
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else if (ch < 0x80) {
                bytes.write(ch);
            } else {
                int codePoint = encoded.codePointAt(i);
                byte[] raw = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
                bytes.write(raw, 0, raw.length);
                i += Character.charCount(codePoint) - 1;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException malformed) {
            throw new InvalidMessageException(field, "is not valid UTF-8 (overlong or malformed bytes)");
        }
    }
}
