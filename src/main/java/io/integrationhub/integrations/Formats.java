package io.integrationhub.integrations;

import java.math.BigDecimal;
import java.text.NumberFormat;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Currency;
import java.util.Locale;

import io.integrationhub.payments.Currencies;

/**
 * Formatting for what integrations put in front of people, called from YAML routes as the bean {@code format}:
 * <pre>
 * ${bean:format?method=money(${body[data][object][amount_total]}, ${body[data][object][currency]})}   $19.99
 * ${bean:format?method=dateTime(${body[payload][scheduled_event][start_time]}, ${body[payload][timezone]})}
 * ${bean:format?method=json(${body[name]})}                                                           "Ann"
 * </pre>
 * English (United States) by default; each method also takes a locale tag ({@code de-DE}). Input that cannot be
 * formatted is shown as it came, never an error: a receipt with "1999 XYZ" beats no receipt.
 */
public class Formats {

    public static final String BEAN = "format";
    private static final Locale DEFAULT_LOCALE = Locale.US;
    private static final ZoneId UTC = ZoneId.of("UTC");

    /** An amount in the currency's minor units, as Stripe sends it: (1999, usd) is "$19.99", (1200, jpy) "¥1,200". */
    public String money(Object amount, String currency) {
        return money(amount, currency, null);
    }

    public String money(Object amount, String currency, String locale) {
        Currency known = Currencies.of(currency);
        Long minorUnits = wholeNumber(amount);
        if (known == null || minorUnits == null) {
            return (amount == null ? "" : amount) + (currency == null ? "" : " " + currency.toUpperCase(Locale.ROOT));
        }
        BigDecimal major = Currencies.majorUnits(minorUnits, known);
        NumberFormat format = NumberFormat.getCurrencyInstance(locale(locale));
        format.setCurrency(known);
        // the currency's own decimals, but never hide a minor unit the amount has (500 ISK in the API is 5 ISK)
        int digits = Math.max(Math.max(known.getDefaultFractionDigits(), 0), major.stripTrailingZeros().scale());
        format.setMinimumFractionDigits(digits);
        format.setMaximumFractionDigits(digits);
        String formatted = format.format(major);
        // a code for a symbol (KWD, ISK) reads apart from the number: "KWD 12.345", not "KWD12.345"
        String symbol = known.getSymbol(locale(locale));
        return symbol.matches("[A-Z]{3}") ? formatted.replaceFirst(symbol + "(?=[\\d-])", symbol + " ") : formatted;
    }

    /**
     * An ISO-8601 instant ({@code 2026-12-01T15:00:00.000000Z}) in a time zone ({@code America/New_York}; UTC when
     * absent or unknown), as people read it: "Tuesday, December 1, 2026 at 10:00 AM EST".
     */
    public String dateTime(String instant, String zone) {
        return dateTime(instant, zone, null);
    }

    public String dateTime(String instant, String zone, String locale) {
        if (instant == null || instant.isBlank()) {
            return "";
        }
        Instant at;
        try {
            at = Instant.parse(instant.trim());
        } catch (DateTimeParseException notAnInstant) {
            return instant;
        }
        ZoneId in = UTC;
        if (zone != null && !zone.isBlank()) {
            try {
                in = ZoneId.of(zone.trim());
            } catch (RuntimeException unknownZone) {
                in = UTC;
            }
        }
        return DateTimeFormatter.ofPattern("EEEE, MMMM d, yyyy 'at' h:mm a zzz", locale(locale)).format(at.atZone(in));
    }

    /**
     * A value as a JSON literal, for building a request body in YAML: text quoted and escaped
     * ({@code "Ann \"Jr\""}), numbers and booleans as they are, nothing as {@code null}.
     */
    public String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not representable as JSON", e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = io.integrationhub.api.JsonResponses.JSON;

    private static Locale locale(String tag) {
        return tag == null || tag.isBlank() ? DEFAULT_LOCALE : Locale.forLanguageTag(tag.trim());
    }

    private static Long wholeNumber(Object amount) {
        if (amount instanceof Number number) {
            BigDecimal value = new BigDecimal(number.toString());
            return value.stripTrailingZeros().scale() <= 0 ? value.longValue() : null;
        }
        if (amount instanceof String text && text.trim().matches("-?\\d{1,18}")) {
            return Long.parseLong(text.trim());
        }
        return null;
    }
}
