package io.integrationhub.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PhoneNumbersTest {

    private static final String NON_PHONE = "must contain only digits, spaces, dashes, dots, parentheses and a leading +";
    private static final String NATIONAL =
            "is a national number: give it in international format (+...) or configure SMS_DEFAULT_REGION";

    /** Rows of (input, default region, expected E.164 when it starts with +, otherwise the refusal message). */
    static Stream<Arguments> numbers() {
        return Stream.of(
                Arguments.of("(415) 555-2671", "US", "+14155552671"),
                Arguments.of("07911 123456", "GB", "+447911123456"),
                Arguments.of("+14155552671", null, "+14155552671"),
                Arguments.of("+44 7911 123456", null, "+447911123456"),
                Arguments.of("+49-151-2345-6789", null, "+4915123456789"),
                Arguments.of("+33.6.12.34.56.78", null, "+33612345678"),
                Arguments.of("+81 (3) 1234-5678", null, "+81312345678"),
                Arguments.of("0044 7911 123456", "GB", "+447911123456"),
                Arguments.of("0049 151 23456789", "DE", "+4915123456789"),
                Arguments.of("011 44 7911 123456", "US", "+447911123456"),
                Arguments.of("  +1 415 555 2671  ", "", "+14155552671"),
                Arguments.of("+447911123456", "US", "+447911123456"),
                Arguments.of("+33 6 12 34 56 78", "DE", "+33612345678"),
                Arguments.of("4155552671", "us", "+14155552671"),
                Arguments.of("+44 (0) 7911 123456", null, "+447911123456"),
                Arguments.of("+800 1234 5678", null, "+80012345678"),
                Arguments.of("+1" + " ".repeat(52) + "4155552671", null, "+14155552671"),
                Arguments.of("1-800-FLOWERS", "US", "must not contain letters"),
                Arguments.of("+1 415 555 2671 ext", null, "must not contain letters"),
                Arguments.of("+1 415 555 267", null, "is not a possible phone number (too short)"),
                Arguments.of("+9 1234", null, "is not a possible phone number (too short)"),
                Arguments.of("+1 415 555 26711", null, "is not a possible phone number (too long)"),
                Arguments.of("+1234567890123456789", null, "is not a possible phone number (too long)"),
                Arguments.of("0044 7911 123456", "US", "is not a possible phone number (too long)"),
                Arguments.of("+999 1234567", null, "has an unknown country calling code"),
                Arguments.of("+1 415 555 2671 \uD83D\uDCDE", null, NON_PHONE),
                Arguments.of("+1 415\t555 2671", null, NON_PHONE),
                Arguments.of("+1 415 555 2671+", null, NON_PHONE),
                Arguments.of("+1/415/555/2671", null, NON_PHONE),
                Arguments.of("\u0664\u0661\u0665\u0665\u0665\u0665\u0662\u0666\u0667\u0661", "US", NON_PHONE),
                Arguments.of("", "US", "must not be empty"),
                Arguments.of("   ", "US", "must not be empty"),
                Arguments.of(null, "US", "must not be empty"),
                Arguments.of("(415) 555-2671", null, NATIONAL),
                Arguments.of("0044 7911 123456", " ", NATIONAL),
                Arguments.of("555-2671", "US", "is a local number: include the area code"),
                Arguments.of("+1 555 123 4567", null, "is not a valid phone number"),
                Arguments.of("+1 123 456 7890", null, "is not a valid phone number"),
                Arguments.of("+44 7911 12345", null, "is not a valid phone number"),
                Arguments.of("+882 1234 5678", null, "is not a valid phone number"),
                Arguments.of("+1 415 555 2671 x123", null, "must not have an extension"),
                Arguments.of("+1 415 555 2671;ext=123", null, "must not have an extension"),
                Arguments.of("415 555 2671 x123", null, "must not have an extension"),
                Arguments.of("415-555-2671#123", "US", "must not have an extension"),
                Arguments.of("+1" + " ".repeat(53) + "4155552671", null, "must be at most 64 characters"),
                Arguments.of("+", null, "is not a phone number"),
                Arguments.of("+12", null, "is not a phone number"),
                Arguments.of("(--)", "US", "is not a phone number"),
                Arguments.of("+1 415 555 2671", "XX", "cannot be checked: the default region \"XX\""));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" in {1} -> {2}")
    @MethodSource("numbers")
    void toE164(String input, String region, String expected) {
        if (expected.startsWith("+")) {
            assertThat(PhoneNumbers.toE164(input, region)).isEqualTo(expected);
        } else {
            assertThatThrownBy(() -> PhoneNumbers.toE164(input, region))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(expected);
        }
    }

    @Test
    void refusalsReadAfterAFieldName() {
        assertThatThrownBy(() -> PhoneNumbers.toE164("+1 555 123 4567", "US"))
                .hasMessage("is not a valid phone number");
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "+15551234567      | +1******4567",
            "+14155552671      | +1******2671",
            "+447911123456     | +44******3456",
            "+4915123456789    | +49*******6789",
            "+33612345678      | +33*****5678",
            "+390612345678     | +39******5678",
            "NULL              | null",
            "''                | ''",
            "x                 | x",
            "garbage           | *****ge",
            "07911123456       | *********56",
            "+999123           | *****23",
    })
    void mask(String input, String expected) {
        assertThat(PhoneNumbers.mask(input)).isEqualTo(expected);
    }

    @Test
    void maskNeverSplitsASurrogatePair() {
        assertThat(PhoneNumbers.mask("call \uD83D\uDCDE\uD83D\uDCDE")).isEqualTo("*****\uD83D\uDCDE\uD83D\uDCDE");
    }

    @Test
    void maskDoesNotThrowOnHostileInput() {
        String huge = "+1" + "9".repeat(10_000);
        assertThat(PhoneNumbers.mask(huge)).hasSize(huge.length()).endsWith("99").startsWith("****");
        assertThat(PhoneNumbers.mask("\uD83D")).isEqualTo("\uD83D");
        assertThat(PhoneNumbers.mask("+\u0000\u0000\u0000")).isEqualTo("**\u0000\u0000");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(nullValues = "NULL", value = {
            "US, true", "GB, true", "gb, true", "' DE ', true", "JP, true",
            "XX, false", "ZZ, false", "001, false", "USA, false", "'', false", "NULL, false",
    })
    void isValidRegion(String region, boolean expected) {
        assertThat(PhoneNumbers.isValidRegion(region)).isEqualTo(expected);
    }
}
