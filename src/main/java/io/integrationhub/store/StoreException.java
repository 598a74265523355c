package io.integrationhub.store;

import java.sql.SQLException;

/** The store could not be reached or refused a statement; never caused by a caller's input. */
public class StoreException extends RuntimeException {

    public StoreException(SQLException cause) {
        super("store error (SQL state " + cause.getSQLState() + ")", cause);
    }

    /** The store is known to be away: refused without trying. */
    public StoreException(String reason) {
        super("store unavailable: " + reason);
    }
}
