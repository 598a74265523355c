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
import java.util.List;
import java.util.Map;

/**
 * The statements of one shared transaction ({@link GroupCommit}), prepared once per SQL text and used again by each
 * unit that asks for the same: a batch of sixty accepts or outcomes runs one INSERT or UPDATE sixty times, where
 * preparing it (SQLite parses and plans the text each time) cost more than running it. A unit's {@code close()}
 * hands the statement back, its parameters cleared; a statement still open when another unit asks for the same text
 * is not shared (a second one is prepared). All are closed with the transaction ({@link #close}), so none outlives
 * it to hold the store.
 */
final class SharedStatements implements AutoCloseable {

    private final Connection connection;
    private final Map<String, ArrayDeque<PreparedStatement>> free = new HashMap<>();
    private final List<PreparedStatement> prepared = new ArrayList<>();
    private final Connection view;

    SharedStatements(Connection connection) {
        this.connection = connection;
        this.view = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, this::onConnection);
    }

    /** The transaction's connection as the units see it: {@code prepareStatement(sql)} shares, all else passes. */
    Connection connection() {
        return view;
    }

    private Object onConnection(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("prepareStatement") && args != null && args.length == 1) {
            return prepare((String) args[0]);
        }
        if (method.getName().equals("close")) {
            return null; // the transaction's to close, not a unit's
        }
        return invoke(connection, method, args);
    }

    private PreparedStatement prepare(String sql) throws SQLException {
        ArrayDeque<PreparedStatement> idle = free.get(sql);
        PreparedStatement statement = idle == null ? null : idle.poll();
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            prepared.add(statement);
        }
        PreparedStatement shared = statement;
        boolean[] handedBack = {false};
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("close") && (args == null || args.length == 0)) {
                if (!handedBack[0]) {
                    handedBack[0] = true;
                    shared.clearParameters();
                    free.computeIfAbsent(sql, s -> new ArrayDeque<>()).push(shared);
                }
                return null;
            }
            if (method.getName().equals("isClosed") && (args == null || args.length == 0)) {
                return handedBack[0] || shared.isClosed();
            }
            if (handedBack[0]) {
                throw new SQLException("statement used after it was closed");
            }
            return invoke(shared, method, args);
        };
        return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, handler);
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Override
    public void close() throws SQLException {
        SQLException first = null;
        for (PreparedStatement statement : prepared) {
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
        if (first != null) {
            throw first;
        }
    }
}
