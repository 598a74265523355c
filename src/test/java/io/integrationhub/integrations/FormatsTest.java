package io.integrationhub.integrations;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FormatsTest {

    private final Formats format = new Formats();

    @Test
    void moneyIsInTheCurrencysMinorUnitsAsStripeSendsIt() {
        assertThat(format.money(1999, "usd")).isEqualTo("$19.99");
        assertThat(format.money(2000L, "USD")).isEqualTo("$20.00");
        assertThat(format.money("123456", "eur")).isEqualTo("€1,234.56");
        // zero-decimal: 1200 JPY is ¥1,200, not ¥12.00
        assertThat(format.money(1200, "jpy")).isEqualTo("¥1,200");
        assertThat(format.money(5000, "krw")).isEqualTo("₩5,000");
        // three-decimal
        assertThat(format.money(12345, "kwd")).isEqualTo("KWD 12.345");
        // ISK is two-decimal in Stripe's API and shown in whole krónur
        assertThat(format.money(500, "isk")).isEqualTo("ISK 5");
        assertThat(format.money(500, "ugx")).isEqualTo("UGX 5");
        assertThat(format.money(-250, "usd")).isEqualTo("-$2.50");
        assertThat(format.money(1999, "eur", "de-DE")).isEqualTo("19,99\u00a0€");
    }

    @Test
    void whatCannotBeFormattedIsShownAsItCame() {
        assertThat(format.money(1999, "xyz")).isEqualTo("1999 XYZ");
        assertThat(format.money("12.5", "usd")).isEqualTo("12.5 USD");
        assertThat(format.money(null, "usd")).isEqualTo(" USD");
        assertThat(format.money(1999, null)).isEqualTo("1999");
        assertThat(format.dateTime("tomorrow", "UTC")).isEqualTo("tomorrow");
        assertThat(format.dateTime(null, "UTC")).isEmpty();
    }

    @Test
    void anInstantIsShownInTheGivenTimeZone() {
        assertThat(format.dateTime("2026-12-01T15:00:00.000000Z", "America/New_York"))
                .isEqualTo("Tuesday, December 1, 2026 at 10:00 AM EST");
        assertThat(format.dateTime("2026-07-01T15:00:00Z", "Europe/Paris"))
                .isEqualTo("Wednesday, July 1, 2026 at 5:00 PM CEST");
        // no zone, or one that does not exist: UTC
        assertThat(format.dateTime("2026-12-01T15:00:00Z", null)).isEqualTo("Tuesday, December 1, 2026 at 3:00 PM UTC");
        assertThat(format.dateTime("2026-12-01T15:00:00Z", "Mars/Base")).isEqualTo("Tuesday, December 1, 2026 at 3:00 PM UTC");
    }

    @Test
    void jsonLiteralsAreEscapedForRequestBodies() {
        assertThat(format.json("Ann \"Jr\" \n<b>")).isEqualTo("\"Ann \\\"Jr\\\" \\n<b>\"");
        assertThat(format.json(null)).isEqualTo("null");
        assertThat(format.json(1999)).isEqualTo("1999");
        assertThat(format.json(true)).isEqualTo("true");
    }
}
