package io.integrationhub.sync;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.integrationhub.store.Store;

/**
 * The syncs' leases (one hub at a time runs a sync: the lease is taken in the store, which every hub shares) and
 * the record of their runs: {total, synced, errors, startedAt, finishedAt}.
 */
public final class SyncRuns {

    public static final String BEAN = "syncRuns";
    public static final String RUNNING = "running";
    public static final String FINISHED = "finished";
    public static final String FAILED = "failed";

    private final Store store;
    private final Clock clock;
    /** This hub, as the owner of the leases it holds. */
    private final String owner = "hub-" + UUID.randomUUID();

    public SyncRuns(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Takes the sync's lease for {@code lease} when no other hub holds it; false when one does. */
    public boolean acquire(String name, Duration lease) {
        Instant now = clock.instant();
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sync_leases (name, owner, expires_at) "
                    + "VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, "
                    + "expires_at = excluded.expires_at WHERE sync_leases.expires_at < ? OR sync_leases.owner = ?")) {
                ps.setString(1, name);
                ps.setString(2, owner);
                ps.setObject(3, store.time(now.plus(lease)));
                ps.setObject(4, store.time(now));
                ps.setString(5, owner);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Extends the lease this hub holds; false when it no longer holds it (it expired and another hub took it). */
    public boolean renew(String name, Duration lease) {
        return leaseUntil(name, clock.instant().plus(lease));
    }

    /** Gives the lease up: another hub may run the sync at once. */
    public void release(String name) {
        leaseUntil(name, clock.instant());
    }

    private boolean leaseUntil(String name, Instant until) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE sync_leases SET expires_at = ? WHERE name = ? AND owner = ?")) {
                ps.setObject(1, store.time(until));
                ps.setString(2, name);
                ps.setString(3, owner);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Records the start of a run; its id. */
    public String start(String name) {
        String id = "run_" + UUID.randomUUID().toString().replace("-", "");
        Instant now = clock.instant();
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sync_runs (id, name, owner, status, total, "
                    + "synced, errors, started_at) VALUES (?, ?, ?, ?, 0, 0, 0, ?)")) {
                ps.setString(1, id);
                ps.setString(2, name);
                ps.setString(3, owner);
                ps.setString(4, RUNNING);
                ps.setObject(5, store.time(now));
                return ps.executeUpdate();
            }
        });
        return id;
    }

    /** Records how a run ended. */
    public void finish(String id, String status, int total, int synced, int errors, String error) {
        Instant now = clock.instant();
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE sync_runs SET status = ?, total = ?, synced = ?, "
                    + "errors = ?, error = ?, finished_at = ? WHERE id = ?")) {
                ps.setString(1, status);
                ps.setInt(2, total);
                ps.setInt(3, synced);
                ps.setInt(4, errors);
                ps.setString(5, error);
                ps.setObject(6, store.time(now));
                ps.setString(7, id);
                return ps.executeUpdate();
            }
        });
    }

    /** Deletes the records of runs that ended before {@code before}; how many went. */
    public int purgeFinished(Instant before) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM sync_runs WHERE finished_at IS NOT NULL AND finished_at < ?")) {
                ps.setObject(1, store.time(before));
                return ps.executeUpdate();
            }
        });
    }

    /** The latest runs of a sync, newest first. */
    public List<Map<String, Object>> runs(String name, int limit) {
        return store.inTransaction(c -> {
            List<Map<String, Object>> runs = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, status, total, synced, errors, error, "
                    + "started_at, finished_at, owner FROM sync_runs WHERE name = ? ORDER BY started_at DESC LIMIT ?")) {
                ps.setString(1, name);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> run = new LinkedHashMap<>();
                        run.put("id", rs.getString(1));
                        run.put("status", rs.getString(2));
                        run.put("total", rs.getInt(3));
                        run.put("synced", rs.getInt(4));
                        run.put("errors", rs.getInt(5));
                        run.put("error", rs.getString(6));
                        Instant started = store.instant(rs, 7);
                        Instant finished = store.instant(rs, 8);
                        run.put("startedAt", started == null ? null : started.toString());
                        run.put("finishedAt", finished == null ? null : finished.toString());
                        run.put("hub", rs.getString(9));
                        runs.add(run);
                    }
                }
            }
            return runs;
        });
    }
}
