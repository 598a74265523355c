package io.integrationhub.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;

import io.integrationhub.sms.SmsSegments.Count;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SmsSegmentsTest {

    private static final String EMOJI = "\uD83D\uDE00";

    static Stream<Arguments> bodies() {
        return Stream.of(
                Arguments.of("empty", "", new Count("GSM-7", 0, 0)),
                Arguments.of("1 GSM", "a", new Count("GSM-7", 1, 1)),
                Arguments.of("160 GSM", "a".repeat(160), new Count("GSM-7", 160, 1)),
                Arguments.of("161 GSM", "a".repeat(161), new Count("GSM-7", 161, 2)),
                Arguments.of("306 GSM", "a".repeat(306), new Count("GSM-7", 306, 2)),
                Arguments.of("307 GSM", "a".repeat(307), new Count("GSM-7", 307, 3)),
                Arguments.of("459 GSM", "a".repeat(459), new Count("GSM-7", 459, 3)),
                Arguments.of("460 GSM", "a".repeat(460), new Count("GSM-7", 460, 4)),
                Arguments.of("80 euro = 160 septets", "€".repeat(80), new Count("GSM-7", 80, 1)),
                Arguments.of("81 euro = 162 septets", "€".repeat(81), new Count("GSM-7", 81, 2)),
                Arguments.of("159 a + euro = 161 septets", "a".repeat(159) + "€", new Count("GSM-7", 160, 2)),
                Arguments.of("152 a + euro + 10 a", "a".repeat(152) + "€" + "a".repeat(10), new Count("GSM-7", 163, 2)),
                Arguments.of("euro straddles 153: 152 a + euro + 152 a = 306 septets",
                        "a".repeat(152) + "€" + "a".repeat(152), new Count("GSM-7", 305, 3)),
                Arguments.of("euro fits at 151: 151 a + euro + 153 a = 306 septets",
                        "a".repeat(151) + "€" + "a".repeat(153), new Count("GSM-7", 305, 2)),
                Arguments.of("153 euro = 306 septets, only 76 fit a part", "€".repeat(153), new Count("GSM-7", 153, 3)),
                Arguments.of("70 c-cedilla", "ç".repeat(70), new Count("UCS-2", 70, 1)),
                Arguments.of("71 c-cedilla", "ç".repeat(71), new Count("UCS-2", 71, 2)),
                Arguments.of("70 Zhe", "Ж".repeat(70), new Count("UCS-2", 70, 1)),
                Arguments.of("71 Zhe", "Ж".repeat(71), new Count("UCS-2", 71, 2)),
                Arguments.of("134 Zhe", "Ж".repeat(134), new Count("UCS-2", 134, 2)),
                Arguments.of("135 Zhe", "Ж".repeat(135), new Count("UCS-2", 135, 3)),
                Arguments.of("35 emoji = 70 units", EMOJI.repeat(35), new Count("UCS-2", 35, 1)),
                Arguments.of("36 emoji = 72 units", EMOJI.repeat(36), new Count("UCS-2", 36, 2)),
                Arguments.of("67 emoji = 134 units, 33 per part", EMOJI.repeat(67), new Count("UCS-2", 67, 3)),
                Arguments.of("emoji straddles 67: 66 Zhe + emoji + 66 Zhe = 134 units",
                        "Ж".repeat(66) + EMOJI + "Ж".repeat(66), new Count("UCS-2", 133, 3)),
                Arguments.of("emoji fits at 65: 65 Zhe + emoji + 67 Zhe = 134 units",
                        "Ж".repeat(65) + EMOJI + "Ж".repeat(67), new Count("UCS-2", 133, 2)),
                Arguments.of("one c-cedilla turns 160 GSM into UCS-2", "a".repeat(159) + "ç", new Count("UCS-2", 160, 3)),
                Arguments.of("one emoji turns GSM into UCS-2", "Hi " + EMOJI, new Count("UCS-2", 4, 1)),
                Arguments.of("backtick is not GSM", "`", new Count("UCS-2", 1, 1)),
                Arguments.of("capital C-cedilla is GSM", "Ç".repeat(160), new Count("GSM-7", 160, 1)),
                Arguments.of("extension table, 2 septets each", "^{}\\[~]|€\f", new Count("GSM-7", 10, 1)),
                Arguments.of("extension table x8 = 160 septets", "^{}\\[~]|€\f".repeat(8), new Count("GSM-7", 80, 1)),
                Arguments.of("line breaks are GSM", "a\r\nb", new Count("GSM-7", 4, 1)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("bodies")
    void counts(String label, String body, Count expected) {
        assertThat(SmsSegments.of(body)).isEqualTo(expected);
    }

    @Test
    void everyCharacterOfTheBasicTableIsOneSeptet() {
        String basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
        assertThat(basic).hasSize(127);
        assertThat(SmsSegments.of(basic)).isEqualTo(new Count("GSM-7", 127, 1));
        assertThat(SmsSegments.of(basic + "a".repeat(33))).isEqualTo(new Count("GSM-7", 160, 1));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {"ç", "`", "\u001B", "\t", "á", "Ñ\u0303", "\u03A9\u2126", "Á", "€\u00A0", "“quote”", "…", "–"})
    void charactersOutsideTheAlphabetNeedUcs2(String body) {
        assertThat(SmsSegments.of(body).encoding()).isEqualTo("UCS-2");
    }

    @Test
    void charactersAreCodePoints() {
        Count count = SmsSegments.of("Hello " + EMOJI + EMOJI);
        assertThat(count.characters()).isEqualTo(8);
        assertThat(count.segments()).isEqualTo(1);
    }

    @Test
    void nullBodyIsAProgrammingError() {
        assertThatThrownBy(() -> SmsSegments.of(null)).isInstanceOf(NullPointerException.class);
    }
}
