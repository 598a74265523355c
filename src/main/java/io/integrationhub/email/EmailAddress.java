package io.integrationhub.email;

import java.io.UnsupportedEncodingException;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/** One mailbox, parsed strictly (RFC 822 with Jakarta Mail's strict rules): {@code a@example.com} or {@code Ann <a@example.com>}. */
public record EmailAddress(String address, String name) {

    /** Parses one mailbox, or explains in a sentence why it is not one. */
    public static EmailAddress parse(String value) throws IllegalArgumentException {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("must be an email address");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("must not contain line breaks or control characters");
        }
        if (value.length() > 320) {
            throw new IllegalArgumentException("is longer than 320 characters");
        }
        try {
            InternetAddress[] parsed = InternetAddress.parse(value, true);
            if (parsed.length != 1) {
                throw new IllegalArgumentException("must be exactly one email address");
            }
            InternetAddress address = parsed[0];
            address.validate();
            if (address.isGroup()) {
                throw new IllegalArgumentException("must not be a group");
            }
            String mailbox = address.getAddress();
            int at = mailbox.lastIndexOf('@');
            if (at < 1 || mailbox.indexOf('.', at) < 0 || mailbox.length() > 254) {
                throw new IllegalArgumentException("must be an address with a domain, like name@example.com");
            }
            return new EmailAddress(mailbox, address.getPersonal());
        } catch (AddressException e) {
            throw new IllegalArgumentException("is not a valid email address");
        }
    }

    public static EmailAddress of(String address, String name) {
        EmailAddress parsed = parse(address);
        if (name != null && name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("name must not contain line breaks or control characters");
        }
        return new EmailAddress(parsed.address(), name == null || name.isBlank() ? parsed.name() : name);
    }

    public InternetAddress toInternetAddress() {
        try {
            return name == null ? new InternetAddress(address, true) : new InternetAddress(address, name, "UTF-8");
        } catch (AddressException | UnsupportedEncodingException e) {
            throw new IllegalStateException("address was validated when parsed", e);
        }
    }

    /** {@code Ann <a@example.com>} or {@code a@example.com}, quoted as mail headers need it. */
    public String formatted() {
        return toInternetAddress().toUnicodeString();
    }

    /** For logs: {@code a***@example.com}. */
    public String masked() {
        int at = address.lastIndexOf('@');
        return address.charAt(0) + "***" + address.substring(at);
    }
}
