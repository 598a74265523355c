package io.integrationhub.channel;

import java.util.List;

import io.integrationhub.delivery.FieldError;
import io.integrationhub.security.Caller;

/**
 * What a channel checks of an API caller's message beyond its shape: for email, that the key may send from the
 * message's {@code from}. A channel binds one as the bean {@code <name>SenderPolicy}; without one, any caller may
 * send any valid message.
 */
@FunctionalInterface
public interface SenderPolicy<M> {

    /** The fields the caller may not send as, named under {@code path} (for batch items: {@code messages[3].}). */
    List<FieldError> check(M message, Caller caller, String path);
}
