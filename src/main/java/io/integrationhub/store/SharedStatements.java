package io.integrationhub.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;

/**
 * The statements of a shared transaction ({@link GroupCommit}), prepared once per SQL text instead of once per unit:
 * preparing (SQLite parses and plans the text each time) cost more than running the INSERT or UPDATE of a unit.
 * A unit's {@code close()} hands its statement back, parameters cleared; a statement still open when another unit
 * (or the same one) asks for the same text is not shared: a second one is prepared.
 * <ul>
 * <li>On the embedded store the statements are also kept with their connection ({@link Kept}) for the next
 * transactions on it: after its work a statement is reset, so it holds no lock and no snapshot of the file. One a
 * unit left open is closed with the transaction instead of kept.</li>
 * <li>On PostgreSQL they are closed with the transaction (the driver keeps its own server-side statements), and
 * a write a unit hands in as a batch ({@code addBatch}, {@code executeBatch}), whose count it does not read, and a
 * {@link Store#sharedUpdate}, whose count is handed to it after the flush ({@link #write}), are deferred while
 * {@link #deferWrites} allows it: the next units' rows join the same batch, and all go to the server in one round
 * trip ({@link #flush}) before any other statement runs, before a savepoint and before the commit. A deferred write
 * that fails fails the whole transaction ({@link DeferredWriteFailed}): no unit can be told apart, so each runs
 * again alone.</li>
 * </ul>
 */
final class SharedStatements implements AutoCloseable {

    /** A deferred write failed: the transaction cannot say whose it was. */
    static final class DeferredWriteFailed extends SQLException {
        DeferredWriteFailed(SQLException cause) {
            super("a batch of deferred writes failed: " + cause.getMessage(), cause.getSQLState(), cause);
        }
    }

    /** Whether a failure came from a deferred write (anywhere in its causes). */
    static boolean isDeferredWriteFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DeferredWriteFailed) {
                return true;
            }
        }
        return false;
    }

    /** The statements kept with each connection of the embedded store, by SQL text. */
    static final class Kept {
        /** Texts kept per connection at most; the hub's shared units use about twenty. */
        static final int MAX_PER_CONNECTION = 100;
        private final Map<Connection, Map<String, PreparedStatement>> byConnection = new ConcurrentHashMap<>();

        /** The statements of a physical connection (the pool's connection itself); those of closed ones are dropped. */
        Map<String, PreparedStatement> of(Connection physical) {
            Map<String, PreparedStatement> kept = byConnection.get(physical);
            if (kept == null) {
                byConnection.keySet().removeIf(SharedStatements::isClosed);
                kept = new HashMap<>();
                byConnection.put(physical, kept);
            }
            return kept;
        }

        void clear() {
            byConnection.clear();
        }
    }

    private final Connection connection;
    private final Connection physical;
    private final Map<String, PreparedStatement> kept;
    private final Set<PreparedStatement> keptInUse = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<String, ArrayDeque<PreparedStatement>> free = new HashMap<>();
    private final List<PreparedStatement> prepared = new ArrayList<>();
    /**
     * Statements with deferred rows, in the order they were first deferred, each with who waits for the count of each
     * row of its batch, in order (null for a row whose count nobody reads).
     */
    private final Map<PreparedStatement, List<IntConsumer>> pending = new java.util.LinkedHashMap<>();
    private boolean deferWrites;
    private final Connection view;

    /** {@code kept}: the embedded store's statements kept by connection, or null to close them all with this. */
    SharedStatements(Connection connection, Kept kept) throws SQLException {
        this.connection = connection;
        this.physical = kept == null ? null : connection.unwrap(org.sqlite.SQLiteConnection.class);
        this.kept = kept == null ? null : kept.of(physical);
        this.view = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, this::onConnection);
    }

    /** The transaction's connection as the units see it: {@code prepareStatement(sql)} shares, all else passes. */
    Connection connection() {
        return view;
    }

    /**
     * Whether the unit about to run may have its batched writes deferred (PostgreSQL only): a unit that may run again
     * ({@link GroupCommit}'s rerunnable units). Pending writes of the units before stay pending.
     */
    void deferWrites(boolean allowed) {
        deferWrites = allowed && kept == null;
    }

    /**
     * Runs one write whose row count the unit needs ({@link Store#sharedUpdate}), handing the count to {@code count}:
     * at once, or, while writes are deferred, with the flush that sends it along with the other units' rows.
     */
    void write(String sql, Object[] values, IntConsumer count) throws SQLException {
        PreparedStatement statement = prepare(sql);
        try {
            Store.setParameters(statement, values);
            if (!deferWrites) {
                count.accept(statement.executeUpdate());
                return;
            }
            statement.addBatch();
            PreparedStatement shared = ((Handle) Proxy.getInvocationHandler(statement)).shared;
            pending.computeIfAbsent(shared, s -> new ArrayList<>()).add(count);
        } finally {
            statement.close();
        }
    }

    /**
     * Sends the deferred writes, in one round trip per statement, and hands their counts to who waits for them; a
     * failure is a {@link DeferredWriteFailed}.
     */
    void flush() throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        List<Map.Entry<PreparedStatement, List<IntConsumer>>> sending = new ArrayList<>(pending.entrySet());
        pending.clear();
        for (Map.Entry<PreparedStatement, List<IntConsumer>> statement : sending) {
            int[] counts;
            try {
                counts = statement.getKey().executeBatch();
            } catch (SQLException e) {
                throw new DeferredWriteFailed(e.getNextException() != null ? e.getNextException() : e);
            }
            List<IntConsumer> waiting = statement.getValue();
            if (counts.length != waiting.size()) {
                // no unit may go without its count: the transaction is undone and each runs alone
                throw new DeferredWriteFailed(new SQLException("the database answered " + counts.length
                        + " counts for a batch of " + waiting.size() + " rows"));
            }
            for (int row = 0; row < counts.length; row++) {
                if (waiting.get(row) != null) {
                    waiting.get(row).accept(counts[row]);
                }
            }
        }
    }

    private Object onConnection(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("prepareStatement") && args != null && args.length == 1) {
            return prepare((String) args[0]);
        }
        if (method.getName().equals("close")) {
            return null; // the transaction's to close, not a unit's
        }
        // anything else the unit does on the connection comes after the writes it deferred
        flush();
        return invoke(connection, method, args);
    }

    private PreparedStatement prepare(String sql) throws SQLException {
        if (kept != null) {
            PreparedStatement statement = kept.get(sql);
            if (statement != null && statement.isClosed()) {
                kept.remove(sql);
                statement = null;
            }
            if (statement == null && kept.size() < Kept.MAX_PER_CONNECTION) {
                // on the connection itself, not the pool's wrapper: the pool closes what was prepared through its
                // wrapper when the connection goes back
                statement = physical.prepareStatement(sql);
                kept.put(sql, statement);
            }
            if (statement != null && keptInUse.add(statement)) {
                return handle(sql, statement, true);
            }
        }
        ArrayDeque<PreparedStatement> idle = free.get(sql);
        PreparedStatement statement = idle == null ? null : idle.poll();
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            prepared.add(statement);
        }
        return handle(sql, statement, false);
    }

    private PreparedStatement handle(String sql, PreparedStatement shared, boolean isKept) {
        return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, new Handle(sql, shared, isKept));
    }

    /** What one unit holds of a shared statement, from {@code prepareStatement} to its {@code close()}. */
    private final class Handle implements InvocationHandler {
        private final String sql;
        private final PreparedStatement shared;
        private final boolean isKept;
        private boolean handedBack;
        /** Rows this unit added to the statement's batch since its last {@code executeBatch}. */
        private int batched;

        Handle(String sql, PreparedStatement shared, boolean isKept) {
            this.sql = sql;
            this.shared = shared;
            this.isKept = isKept;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            boolean noArgs = args == null || args.length == 0;
            String name = method.getName();
            if (name.equals("close") && noArgs) {
                handBack();
                return null;
            }
            if (name.equals("isClosed") && noArgs) {
                return handedBack || shared.isClosed();
            }
            if (handedBack) {
                throw new SQLException("statement used after it was closed");
            }
            if (name.equals("addBatch") && noArgs) {
                shared.addBatch();
                batched++;
                return null;
            }
            if (name.equals("executeBatch") && deferWrites) {
                // the rows join the statement's batch, sent with the next flush; their counts are not read
                List<IntConsumer> waiting = pending.computeIfAbsent(shared, s -> new ArrayList<>());
                for (int row = 0; row < batched; row++) {
                    waiting.add(null);
                }
                int[] counts = new int[batched];
                java.util.Arrays.fill(counts, java.sql.Statement.SUCCESS_NO_INFO);
                batched = 0;
                return counts;
            }
            if (name.startsWith("execute")) {
                flush();
            }
            return SharedStatements.invoke(shared, method, args);
        }

        private void handBack() throws SQLException {
            if (handedBack) {
                return;
            }
            handedBack = true;
            shared.clearParameters();
            if (!pending.containsKey(shared)) {
                shared.clearBatch();
            }
            if (isKept) {
                keptInUse.remove(shared);
            } else {
                free.computeIfAbsent(sql, s -> new ArrayDeque<>()).push(shared);
            }
        }
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static boolean isClosed(Connection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    @Override
    public void close() throws SQLException {
        // rows still deferred here were not flushed because the transaction failed: they go with it
        pending.clear();
        SQLException first = null;
        List<PreparedStatement> closing = new ArrayList<>(prepared);
        if (kept != null && !keptInUse.isEmpty()) {
            // left open by its unit (a result set not read to its end may still hold the file): not kept
            kept.values().removeIf(keptInUse::contains);
            closing.addAll(keptInUse);
        }
        for (PreparedStatement statement : closing) {
            try {
                statement.close();
            } catch (SQLException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        prepared.clear();
        free.clear();
        keptInUse.clear();
        if (first != null) {
            throw first;
        }
    }
}
