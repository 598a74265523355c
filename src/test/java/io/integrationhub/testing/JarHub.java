package io.integrationhub.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged hub as an operator runs it: {@code java -Xmx... -jar target/integration-hub.jar} (built by
 * {@code mvn package}) in a folder of its own, with nothing but the jar's defaults and the environment given here.
 * Closing it kills the process if it still runs.
 */
public final class JarHub implements AutoCloseable {

    public static final String ADMIN_KEY = "jar-test-admin-key-0123456789";
    /** {@code camel.main.shutdownTimeout} in the shipped defaults, plus the JVM's own exit. */
    public static final Duration SHUTDOWN = Duration.ofSeconds(15 + 10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Process process;
    private final Path log;
    private final int port;

    private JarHub(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts the jar in {@code folder} with the heap {@code heap} (e.g. "512m"), and waits until it is ready. */
    public static JarHub start(Path folder, Path logs, String heap, Map<String, String> environment) throws IOException {
        Path jar = Path.of(System.getProperty("hub.jar", "target/integration-hub.jar")).toAbsolutePath();
        assertThat(jar).as("the packaged hub (mvn package)").isRegularFile();
        int port = TestHub.freePort();
        Path log = logs.resolve("hub.log");
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap, "-jar", jar.toString())
                .directory(folder.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        // only the jar's defaults and what the test sets
        env.keySet().removeIf(name -> Stream.of("HUB_", "DB_", "EMAIL_", "SMS_", "OUTBOX_", "CAMEL_").anyMatch(name::startsWith));
        env.put("HUB_PORT", String.valueOf(port));
        env.put("HUB_ADMIN_KEY", ADMIN_KEY);
        env.putAll(environment);
        JarHub hub = new JarHub(builder.start(), log, port);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(hub.process.isAlive()).as("hub alive; its log:%n%s", hub.logText()).isTrue();
            assertThat(hub.status("/observe/health/ready")).isEqualTo(200);
        });
        return hub;
    }

    public Process process() {
        return process;
    }

    /** Stops the hub with SIGTERM and checks it exits in time; returns how long it took. */
    public Duration stopWithSigterm() throws InterruptedException {
        long started = System.nanoTime();
        process.destroy(); // SIGTERM
        boolean exited = process.waitFor(SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(exited).as("exit within %s of SIGTERM; log:%n%s", SHUTDOWN, logText()).isTrue();
        assertThat(logText()).contains("shutdown");
        return Duration.ofNanos(System.nanoTime() - started);
    }

    public JsonNode awaitSent(String id, Duration within) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(within).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            HttpResponse<String> response = http.send(request("/api/v1/messages/" + id).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            last[0] = Json.parse(response.body());
            assertThat(last[0].get("status").asText()).isEqualTo("sent");
        });
        return last[0];
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The status of a GET, or -1 when the hub does not answer. */
    public int status(String path) throws InterruptedException {
        try {
            return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notYet) {
            return -1;
        }
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + ADMIN_KEY);
    }

    /** The last 60 lines of the hub's log. */
    public String logText() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The whole log. */
    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
