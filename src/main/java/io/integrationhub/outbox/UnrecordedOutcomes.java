package io.integrationhub.outbox;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import io.integrationhub.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outcomes of delivery attempts that the store could not take when they happened (the database was away): a
 * message the provider accepted must be recorded as sent when the database returns, not sent again once its lease
 * runs out. Kept in memory, by message and lease, and written again by {@link #retry()} until the store takes them;
 * each write still requires the lease, so an outcome whose lease passed to another claim meanwhile is dropped. If the
 * hub stops before then, the message is sent again after its lease, marked as a possible duplicate (the
 * at-least-once window).
 */
public final class UnrecordedOutcomes {

    private static final Logger LOG = LoggerFactory.getLogger(UnrecordedOutcomes.class);

    private record Key(String messageId, String lease) {
    }

    private record Outcome(String what, BooleanSupplier write) {
    }

    private final Map<Key, Outcome> pending = new ConcurrentHashMap<>();
    private final AtomicLong recordedLate = new AtomicLong();

    /**
     * Writes an outcome now, or keeps it to write when the store answers again. True when written, false when the
     * lease had passed to another claim, null when kept for later.
     */
    public Boolean record(Outbox.Claim claim, String what, BooleanSupplier write) {
        try {
            return write.getAsBoolean();
        } catch (StoreException away) {
            pending.put(new Key(claim.message().id(), claim.lease()), new Outcome(what, write));
            LOG.warn("Message {} {}, but the store did not take it ({}); recorded when the store answers again",
                    claim.message().id(), what, away.getMessage());
            return null;
        }
    }

    /**
     * A claim whose transaction failed while the store went away may have committed unseen: its messages are given
     * back ({@code release}) when the store answers again, rather than waiting in 'sending' for their lease.
     */
    public void releaseWhenBack(String claimToken, BooleanSupplier release) {
        pending.put(new Key("claim", claimToken), new Outcome("was claimed by a transaction the store may not have "
                + "taken; given back", release));
    }

    /** Writes what is kept; stops at the first that the store still refuses. */
    public void retry() {
        for (Map.Entry<Key, Outcome> entry : pending.entrySet()) {
            boolean written;
            try {
                written = entry.getValue().write().getAsBoolean();
            } catch (StoreException stillAway) {
                return;
            }
            pending.remove(entry.getKey());
            if ("claim".equals(entry.getKey().messageId())) {
                LOG.debug("Claim {} given back now that the store answers again", entry.getKey().lease());
                continue;
            }
            if (written) {
                recordedLate.incrementAndGet();
                LOG.info("Message {} {}: recorded now that the store answers again", entry.getKey().messageId(),
                        entry.getValue().what());
            } else {
                LOG.warn("Message {} {}, but its lease passed to another claim before the store answered again",
                        entry.getKey().messageId(), entry.getValue().what());
            }
        }
    }

    /** How many outcomes were recorded late, once the store answered again, since the hub started. */
    public long recordedLate() {
        return recordedLate.get();
    }

    /** How many outcomes wait for the store. */
    public int size() {
        return pending.size();
    }
}
