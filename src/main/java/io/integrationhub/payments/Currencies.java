package io.integrationhub.payments;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Locale;
import java.util.Set;

/**
 * Amounts as Stripe's API carries them: an integer in the currency's minor units. Most currencies have two decimals
 * (1999 USD is $19.99); Stripe's zero-decimal currencies have none (1200 JPY is ¥1,200) and its three-decimal
 * currencies three (1000 KWD is 1.000 KWD). ISK and UGX are two-decimal in the API although they have no minor unit
 * (5 ISK is 500); HUF and TWD are two-decimal too. See https://docs.stripe.com/currencies#minor-units.
 */
public final class Currencies {

    private static final Set<String> ZERO_DECIMAL = Set.of("BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA",
            "PYG", "RWF", "VND", "VUV", "XAF", "XOF", "XPF");
    private static final Set<String> THREE_DECIMAL = Set.of("BHD", "JOD", "KWD", "OMR", "TND");

    private Currencies() {
    }

    /** The ISO 4217 currency of a code in any case ({@code usd}, {@code USD}), or null if there is none. */
    public static Currency of(String code) {
        if (code == null || !code.matches("[A-Za-z]{3}")) {
            return null;
        }
        try {
            return Currency.getInstance(code.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    /** How many decimals the API's integer amounts of this currency carry: 0, 2 or 3. */
    public static int minorUnitDigits(Currency currency) {
        String code = currency.getCurrencyCode();
        return ZERO_DECIMAL.contains(code) ? 0 : THREE_DECIMAL.contains(code) ? 3 : 2;
    }

    /** The amount in major units: 1999 USD is 19.99. */
    public static BigDecimal majorUnits(long minorUnits, Currency currency) {
        return BigDecimal.valueOf(minorUnits, minorUnitDigits(currency));
    }
}
