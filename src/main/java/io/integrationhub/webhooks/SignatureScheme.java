package io.integrationhub.webhooks;

import java.time.Instant;
import java.util.List;

/**
 * How a webhook sender signs its requests. A scheme verifies a request against each of the source's secrets (several
 * during a rotation), comparing in constant time, and refuses timestamps outside its tolerance, too old and too far
 * in the future alike.
 */
public interface SignatureScheme {

    /** Returns when the request is signed with one of {@code secrets}; else throws naming the check that failed. */
    void verify(SignedRequest request, List<String> secrets, Instant now) throws VerificationFailure;

    /** The headers the scheme reads: kept with the stored event, so that it can be verified again later. */
    List<String> headers();
}
