package io.integrationhub.security;

/** What a key may do: an admin manages keys; a sender hands the hub work. */
public enum Role {
    ADMIN, SENDER;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
