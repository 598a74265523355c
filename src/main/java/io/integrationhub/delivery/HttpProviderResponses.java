package io.integrationhub.delivery;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.apache.camel.Exchange;

/**
 * Reads a provider's HTTP answer (camel-http with {@code throwExceptionOnFailure=false}) the way the providers
 * document it: 2xx accepted; 408, 429 and 5xx transient (with Retry-After when sent); any other 4xx refused.
 */
public final class HttpProviderResponses {

    private static final int MAX_REASON = 300;
    /** Longer answers are read as a day (the hub caps its wait lower still, delivery.maximum-retry-after-ms). */
    private static final long MAX_RETRY_AFTER_SECONDS = 86_400;

    private HttpProviderResponses() {
    }

    /** Throws the matching {@link DeliveryException} unless the response is a 2xx. */
    public static void check(String provider, Exchange exchange) {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status != null && status >= 200 && status < 300) {
            return;
        }
        throw failure(provider, exchange, "HTTP " + status + reason(exchange), null);
    }

    /**
     * The failure a non-2xx answer means, as every HTTP provider documents it: 408, 429 and 5xx (or no status at
     * all) may pass and are retried, honouring Retry-After; any other 4xx refuses the message. {@code code} is the
     * provider's own error code, or null.
     */
    public static DeliveryException failure(String provider, Exchange exchange, String reason, String code) {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status == null) {
            return new TransientDeliveryException(provider, "no HTTP status in the response", null, null);
        }
        if (status == 408 || status == 429 || status >= 500) {
            return new TransientDeliveryException(provider, reason,
                    retryAfter(exchange.getMessage().getHeader("Retry-After", String.class)), code, null);
        }
        return new PermanentDeliveryException(provider, reason, code);
    }

    /** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
    public static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, Long.parseLong(value.trim()))));
        } catch (NumberFormatException notSeconds) {
            if (value.trim().matches("\\d+")) {
                return Duration.ofSeconds(MAX_RETRY_AFTER_SECONDS); // more seconds than a long holds
            }
            try {
                Duration until = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return until.isNegative() ? Duration.ZERO : until;
            } catch (RuntimeException notADate) {
                return null;
            }
        }
    }

    private static String reason(Exchange exchange) {
        String body = exchange.getMessage().getBody(String.class);
        if (body == null || body.isBlank()) {
            return "";
        }
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return ": " + (oneLine.length() > MAX_REASON ? oneLine.substring(0, MAX_REASON) + "..." : oneLine);
    }
}
