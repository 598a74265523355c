package io.integrationhub.security;

import java.net.IDN;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The domains a key may send email from ({@code allowedFrom}): domain names compared exactly (no subdomains),
 * case-insensitively, in their ASCII form (IDN), so {@code Example.COM} and {@code example.com} are one domain.
 */
public final class SenderDomains {

    public static final int MAX = 20;
    /** Letters, digits and hyphens in labels of 1 to 63, at least two labels, a top-level label not all digits. */
    private static final Pattern DOMAIN = Pattern.compile(
            "(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+(?=[a-z0-9-]*[a-z])[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

    private SenderDomains() {
    }

    /** The domain in the form it is stored and compared in, or empty when it is not a domain name. */
    public static Optional<String> normalize(String domain) {
        if (domain == null || domain.length() > 253 || domain.chars().anyMatch(ch -> Character.isWhitespace(ch) || Character.isISOControl(ch))) {
            return Optional.empty();
        }
        try {
            String ascii = IDN.toASCII(domain, 0).toLowerCase(Locale.ROOT);
            return DOMAIN.matcher(ascii).matches() ? Optional.of(ascii) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether the address's domain is one of the allowed ones; any address when none are listed. */
    public static boolean allows(List<String> allowed, String address) {
        if (allowed.isEmpty()) {
            return true;
        }
        int at = address.lastIndexOf('@');
        if (at < 0) {
            return false;
        }
        return normalize(address.substring(at + 1)).map(allowed::contains).orElse(false);
    }
}
