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

    /**
     * Waits (up to 60 s) until the hub in {@code process} on {@code port} answers ready; fails with the end of its
     * {@code log} when the process dies first.
     */
    public static void awaitReady(Process process, int port, Path log) {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .connectTimeout(java.time.Duration.ofSeconds(5)).build();
        java.net.URI ready = java.net.URI.create("http://localhost:" + port + "/observe/health/ready");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .pollInterval(java.time.Duration.ofMillis(200)).untilAsserted(() -> {
                    org.assertj.core.api.Assertions.assertThat(process.isAlive())
                            .as("hub alive; log:%n%s", tail(log)).isTrue();
                    int status;
                    try {
                        status = http.send(java.net.http.HttpRequest.newBuilder(ready)
                                .timeout(java.time.Duration.ofSeconds(5)).GET().build(),
                                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (IOException notYet) {
                        status = -1;
                    }
                    org.assertj.core.api.Assertions.assertThat(status).isEqualTo(200);
                });
    }

    /** The last 60 lines of a hub's log. */
    public static String tail(Path log) throws IOException {
        List<String> lines = java.nio.file.Files.readAllLines(log, java.nio.charset.StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
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
