package io.integrationhub.security;

import java.util.List;

/**
 * The authenticated caller of an API request, as routes see it (exchange property {@link #PROPERTY});
 * {@code allowedFrom}: the domains its key may send email from, empty for any.
 */
public record Caller(String keyId, String keyName, Role role, List<String> allowedFrom) {

    public static final String PROPERTY = "hubCaller";

    public Caller {
        allowedFrom = allowedFrom == null ? List.of() : List.copyOf(allowedFrom);
    }

    public Caller(String keyId, String keyName, Role role) {
        this(keyId, keyName, role, List.of());
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }
}
