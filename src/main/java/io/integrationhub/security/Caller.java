package io.integrationhub.security;

/** The authenticated caller of an API request, as routes see it (exchange property {@link #PROPERTY}). */
public record Caller(String keyId, String keyName, Role role) {

    public static final String PROPERTY = "hubCaller";

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }
}
