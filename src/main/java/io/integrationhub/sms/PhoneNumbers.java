package io.integrationhub.sms;

import java.util.Locale;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;

/**
 * Recipient numbers for SMS, checked and normalised by Google's libphonenumber so that providers only ever see
 * E.164 numbers that exist in the numbering plan, and logs only ever see masked ones.
 *
 * <p>libphonenumber is more forgiving than a gateway should be: it reads vanity letters as digits, extensions as part
 * of the number and almost any punctuation as decoration. The character rules here are stricter on purpose, so that
 * what is sent is what the caller typed.
 */
public final class PhoneNumbers {

    /** Longer than any honestly decorated number; keeps hostile input away from the parser. */
    public static final int MAX_INPUT_LENGTH = 64;

    /**
     * libphonenumber only reaches its extension detection once it has a region to parse national numbers with; the
     * extension markers it recognises are the same in every region, so any supported one will do.
     */
    private static final String ANY_REGION = "US";

    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

    private PhoneNumbers() {
    }

    /**
     * The number in E.164 ({@code +14155552671}), or an {@link IllegalArgumentException} whose message reads after a
     * field name ({@code "to is not a valid phone number"}).
     *
     * @param defaultRegion ISO 3166 alpha-2 region used for numbers given without {@code +}; null or blank when none
     *                      is configured. Callers check it once with {@link #isValidRegion} at start.
     */
    public static String toE164(String input, String defaultRegion) {
        if (input == null || input.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        if (input.length() > MAX_INPUT_LENGTH) {
            throw new IllegalArgumentException("must be at most " + MAX_INPUT_LENGTH + " characters");
        }
        String region = normaliseRegion(defaultRegion);
        if (region != null && !UTIL.getSupportedRegions().contains(region)) {
            throw new IllegalArgumentException("cannot be checked: the default region \"" + defaultRegion
                    + "\" is not a region libphonenumber knows");
        }
        String number = input.strip();
        checkCharacters(number, region);
        if (region == null && !number.startsWith("+")) {
            throw new IllegalArgumentException(
                    "is a national number: give it in international format (+...) or configure SMS_DEFAULT_REGION");
        }
        PhoneNumber parsed = parse(number, region);
        if (parsed.hasExtension()) {
            throw new IllegalArgumentException("must not have an extension");
        }
        switch (UTIL.isPossibleNumberWithReason(parsed)) {
            case IS_POSSIBLE -> {
            }
            case IS_POSSIBLE_LOCAL_ONLY -> throw new IllegalArgumentException("is a local number: include the area code");
            case TOO_SHORT -> throw new IllegalArgumentException("is not a possible phone number (too short)");
            case TOO_LONG -> throw new IllegalArgumentException("is not a possible phone number (too long)");
            case INVALID_COUNTRY_CODE -> throw new IllegalArgumentException("has an unknown country calling code");
            case INVALID_LENGTH -> throw new IllegalArgumentException("is not a possible phone number (wrong length)");
        }
        if (!UTIL.isValidNumber(parsed)) {
            throw new IllegalArgumentException("is not a valid phone number");
        }
        return UTIL.format(parsed, PhoneNumberFormat.E164);
    }

    /**
     * For logs: the country calling code and the last four digits, the rest as {@code *}
     * ({@code +447911123456} becomes {@code +44******3456}). Input that is not a number keeps only its last two
     * characters. Never throws, so it is safe in error paths.
     */
    public static String mask(String e164) {
        if (e164 == null) {
            return "null";
        }
        try {
            PhoneNumber parsed = UTIL.parse(e164, null);
            String national = UTIL.getNationalSignificantNumber(parsed);
            int hidden = Math.max(0, national.length() - 4);
            return "+" + parsed.getCountryCode() + "*".repeat(hidden) + national.substring(hidden);
        } catch (NumberParseException | RuntimeException e) {
            int length = e164.codePointCount(0, e164.length());
            if (length <= 2) {
                return e164;
            }
            int keepFrom = e164.offsetByCodePoints(0, length - 2);
            return "*".repeat(length - 2) + e164.substring(keepFrom);
        }
    }

    /**
     * Whether libphonenumber has metadata for this ISO 3166 alpha-2 region (case-insensitive, as {@link #toE164}
     * reads it), so that a bad {@code SMS_DEFAULT_REGION} stops the hub at start rather than refusing every message.
     */
    public static boolean isValidRegion(String region) {
        String normalised = normaliseRegion(region);
        return normalised != null && UTIL.getSupportedRegions().contains(normalised);
    }

    private static String normaliseRegion(String region) {
        return region == null || region.isBlank() ? null : region.strip().toUpperCase(Locale.ROOT);
    }

    private static void checkCharacters(String number, String region) {
        boolean letters = false;
        boolean other = false;
        for (int i = 0; i < number.length(); ) {
            int c = number.codePointAt(i);
            i += Character.charCount(c);
            if (Character.isLetter(c)) {
                letters = true;
            } else if (!isDecoratedDigit(c) && !(c == '+' && i == 1)) {
                other = true;
            }
        }
        if (!letters && !other) {
            return;
        }
        if (hasExtension(number, region)) {
            throw new IllegalArgumentException("must not have an extension");
        }
        if (letters) {
            throw new IllegalArgumentException("must not contain letters");
        }
        throw new IllegalArgumentException("must contain only digits, spaces, dashes, dots, parentheses and a leading +");
    }

    private static boolean isDecoratedDigit(int c) {
        return (c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
    }

    private static boolean hasExtension(String number, String region) {
        try {
            return UTIL.parse(number, region == null ? ANY_REGION : region).hasExtension();
        } catch (NumberParseException e) {
            return false;
        }
    }

    private static PhoneNumber parse(String number, String region) {
        try {
            return UTIL.parse(number, region);
        } catch (NumberParseException e) {
            throw new IllegalArgumentException(switch (e.getErrorType()) {
                case INVALID_COUNTRY_CODE -> "has an unknown country calling code";
                case TOO_SHORT_NSN, TOO_SHORT_AFTER_IDD -> "is not a possible phone number (too short)";
                case TOO_LONG -> "is not a possible phone number (too long)";
                case NOT_A_NUMBER -> "is not a phone number";
            });
        }
    }
}
