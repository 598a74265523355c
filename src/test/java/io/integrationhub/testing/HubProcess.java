package io.integrationhub.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.integrationhub.HubMain;

/**
 * The hub's own main class in a JVM of its own, with this test's classpath, run from the project folder (its
 * {@code routes/} and {@code templates/}) and configured by environment variables: what a test needs to kill a hub
 * (SIGKILL) or watch it exit.
 */
public final class HubProcess {

    private HubProcess() {
    }

    /**
     * Starts a hub on {@code port} whose embedded store is {@code store}/hub.db and whose admin key is {@code adminKey},
     * with {@code environment} on top; its output is appended to {@code log}.
     */
    public static Process start(int port, Path store, String adminKey, Path log, Map<String, String> environment)
            throws IOException {
        return start(port, store, adminKey, log, environment, List.of());
    }

    /** As above, with options for the hub's JVM ({@code -Xmx256m}). */
    public static Process start(int port, Path store, String adminKey, Path log, Map<String, String> environment,
                                List<String> jvmOptions) throws IOException {
        String javaBinary = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(javaBinary));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), HubMain.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.directory(new File(System.getProperty("user.dir")));
        Map<String, String> env = builder.environment();
        env.put("HUB_PORT", String.valueOf(port));
        env.put("DB_URL", "jdbc:sqlite:" + store.resolve("hub.db").toAbsolutePath());
        env.put("HUB_ADMIN_KEY", adminKey);
        env.putAll(environment);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return builder.start();
    }
}
