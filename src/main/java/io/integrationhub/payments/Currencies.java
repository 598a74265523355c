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

    /** The largest amount Stripe takes: eight digits in minor units. */
    public static final long MAXIMUM_AMOUNT = 99_999_999L;
    /**
     * Stripe's minimum charge amounts in minor units (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts);
     * other currencies take any positive amount here and are checked by Stripe against its conversion.
     */
    private static final java.util.Map<String, Long> MINIMUM_AMOUNTS = java.util.Map.ofEntries(
            java.util.Map.entry("USD", 50L), java.util.Map.entry("AED", 200L), java.util.Map.entry("AUD", 50L),
            java.util.Map.entry("BGN", 100L), java.util.Map.entry("BRL", 50L), java.util.Map.entry("CAD", 50L),
            java.util.Map.entry("CHF", 50L), java.util.Map.entry("CZK", 1500L), java.util.Map.entry("DKK", 250L),
            java.util.Map.entry("EUR", 50L), java.util.Map.entry("GBP", 30L), java.util.Map.entry("HKD", 400L),
            java.util.Map.entry("HUF", 17500L), java.util.Map.entry("INR", 50L), java.util.Map.entry("JPY", 50L),
            java.util.Map.entry("MXN", 1000L), java.util.Map.entry("MYR", 200L), java.util.Map.entry("NOK", 300L),
            java.util.Map.entry("NZD", 50L), java.util.Map.entry("PLN", 200L), java.util.Map.entry("RON", 200L),
            java.util.Map.entry("SEK", 300L), java.util.Map.entry("SGD", 50L), java.util.Map.entry("THB", 1000L));
    /** ISO 4217 codes that are not money one can charge: test, no-currency, metals, fund codes. */
    private static final Set<String> NOT_CHARGEABLE = Set.of("XXX", "XTS", "XAU", "XAG", "XPD", "XPT", "XBA", "XBB",
            "XBC", "XBD", "XDR", "XSU", "XUA", "BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "USS", "UYI", "UYW");

    private Currencies() {
    }

    /**
     * The currency of a code a payment may be made in, written all lower case ({@code usd}, as Stripe writes it) or
     * all upper case; null for anything else (mixed case, unknown, obsolete, test and fund codes).
     */
    public static Currency chargeable(String code) {
        if (code == null || !(code.matches("[a-z]{3}") || code.matches("[A-Z]{3}"))) {
            return null;
        }
        Currency currency = of(code);
        if (currency == null || NOT_CHARGEABLE.contains(currency.getCurrencyCode())) {
            return null;
        }
        return currency;
    }

    /** The smallest amount Stripe charges in this currency, in minor units (1 where Stripe converts to decide). */
    public static long minimumAmount(Currency currency) {
        return MINIMUM_AMOUNTS.getOrDefault(currency.getCurrencyCode(), 1L);
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
