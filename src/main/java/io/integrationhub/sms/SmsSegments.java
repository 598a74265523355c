package io.integrationhub.sms;

import java.util.Objects;

/**
 * How many SMS parts a body is billed as, the way GSM networks split it: GSM-7 when every character is in the
 * GSM 03.38 default alphabet (3GPP TS 23.038) or its extension table, UCS-2 otherwise. Providers charge per part, so
 * a single character outside the alphabet can more than double the price of a message; the count lets callers see
 * that before sending.
 */
public final class SmsSegments {

    public static final String GSM_7 = "GSM-7";
    public static final String UCS_2 = "UCS-2";

    private static final int GSM_SINGLE = 160;
    private static final int GSM_PART = 153;
    private static final int UCS_SINGLE = 70;
    private static final int UCS_PART = 67;

    /** The GSM 03.38 default alphabet in code order; 0x1B, the escape to the extension table, is not a character. */
    private static final String GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    /** Sent as escape + code, so each costs two septets. */
    private static final String GSM_EXTENSION = "\f^{}\\[~]|€";

    private SmsSegments() {
    }

    /**
     * @param encoding   {@value #GSM_7} or {@value #UCS_2}
     * @param characters Unicode code points, as the user counts them
     * @param segments   parts the network sends; 0 for an empty body
     */
    public record Count(String encoding, int characters, int segments) {
    }

    /**
     * Counts the parts of a non-null body. Multi-part messages lose room to the concatenation header (160 to 153
     * septets, 70 to 67 UTF-16 units), and a part never ends in the middle of an escape pair or a surrogate pair, so
     * the count is found by filling parts rather than by dividing.
     */
    public static Count of(String body) {
        Objects.requireNonNull(body, "body");
        int characters = body.codePointCount(0, body.length());
        int[] gsmCosts = gsmCosts(body);
        if (gsmCosts != null) {
            return new Count(GSM_7, characters, segments(gsmCosts, GSM_SINGLE, GSM_PART));
        }
        int[] units = body.codePoints().map(Character::charCount).toArray();
        return new Count(UCS_2, characters, segments(units, UCS_SINGLE, UCS_PART));
    }

    /** Septets per character, or null when some character needs UCS-2. */
    private static int[] gsmCosts(String body) {
        int[] costs = new int[body.length()];
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (GSM_BASIC.indexOf(c) >= 0) {
                costs[i] = 1;
            } else if (GSM_EXTENSION.indexOf(c) >= 0) {
                costs[i] = 2;
            } else {
                return null;
            }
        }
        return costs;
    }

    private static int segments(int[] costs, int single, int part) {
        int total = 0;
        for (int cost : costs) {
            total += cost;
        }
        if (total == 0) {
            return 0;
        }
        if (total <= single) {
            return 1;
        }
        int parts = 1;
        int used = 0;
        for (int cost : costs) {
            if (used + cost > part) {
                parts++;
                used = 0;
            }
            used += cost;
        }
        return parts;
    }
}
