package io.integrationhub.delivery;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

import org.apache.camel.Exchange;

/** Sorts failures into those worth retrying and those that are final, and describes them without secrets. */
public final class DeliveryFailures {

    private DeliveryFailures() {
    }

    /** Connection errors, timeouts, 5xx and 429 can pass; a refused or invalid message cannot. */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DeliveryException delivery) {
                return delivery.isRetryable();
            }
            if (t instanceof InvalidMessageException) {
                return false;
            }
            if (t instanceof IOException || t instanceof TimeoutException
                    || t instanceof io.integrationhub.store.StoreException) {
                return true;
            }
        }
        return false;
    }

    /** What a circuit breaker counts as the provider failing: everything but a refusal of one message. */
    public static boolean countsAgainstProvider(Throwable failure) {
        return !(failure instanceof PermanentDeliveryException) && !(failure instanceof InvalidMessageException);
    }

    /** The failure an error handler is dealing with: still on the exchange, or already caught. */
    public static Throwable failure(Exchange exchange) {
        Throwable failure = exchange.getException();
        return failure != null ? failure : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    /** One line for logs, the API and the dead letter: provider reasons as they are, other failures by type. */
    public static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown failure";
        }
        if (failure instanceof DeliveryException || failure instanceof InvalidMessageException) {
            return failure.getMessage();
        }
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
