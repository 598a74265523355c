package io.integrationhub.webhooks;

/**
 * A webhook whose signature did not verify. The caller answers every failure the same way (400, "signature
 * verification failed"); {@link #getMessage()} says which check failed, for the log, and never holds a secret.
 */
public final class VerificationFailure extends Exception {

    public VerificationFailure(String check) {
        super(check, null, false, false);
    }
}
