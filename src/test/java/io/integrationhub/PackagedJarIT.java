package io.integrationhub;

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
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The deployable artifact as an operator runs it: {@code java -jar integration-hub.jar} (built by {@code mvn package},
 * run by failsafe in {@code mvn verify}) in a folder of its own, with nothing but the jar's own defaults and the
 * environment. One hub process per case.
 */
class PackagedJarIT {

    private static final String ADMIN_KEY = "jar-test-admin-key-0123456789";
    /** {@code camel.main.shutdownTimeout} in the shipped defaults, plus the JVM's own exit. */
    private static final Duration SHUTDOWN = Duration.ofSeconds(15 + 10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process hub;
    private Path log;
    private int port;

    @AfterEach
    void stopHub() throws InterruptedException {
        if (hub != null && hub.isAlive()) {
            hub.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theReadmeDeploysThisJar() throws IOException {
        assertThat(Files.readAllLines(Path.of("README.md"))).contains(
                "mvn -q package -DskipTests        # target/integration-hub.jar", "java -Xmx512m -jar integration-hub.jar");
    }

    @Test
    void startsFromAnEmptyFolderSendsAnEmailAndStopsOnSigterm(@TempDir Path folder, @TempDir Path logs) throws Exception {
        start(folder, logs, Map.of());

        HttpResponse<String> accepted = post("/api/v1/email",
                "{\"to\":\"ann@example.com\",\"subject\":\"Hello\",\"text\":\"Hi from the jar\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = Json.parse(accepted.body()).get("id").asText();
        awaitSent(id);

        // no templates/ here: a template is unknown, a 422 naming the field, and the hub goes on
        HttpResponse<String> template = post("/api/v1/email", "{\"to\":\"ann@example.com\",\"template\":\"welcome\"}");
        assertThat(template.statusCode()).as(template.body()).isEqualTo(422);
        assertThat(template.body()).contains("\"field\":\"template\"").contains("is not a known template");

        stopWithSigterm();
        // the embedded store lives under the working folder's data/, and the hub wrote nothing else there
        try (Stream<Path> entries = Files.list(folder)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("data");
        }
        try (Stream<Path> files = Files.list(folder.resolve("data"))) {
            assertThat(files.filter(Files::isRegularFile).mapToLong(PackagedJarIT::size).sum()).isPositive();
        }
        assertThat(Files.readString(log, StandardCharsets.UTF_8)).doesNotContain(ADMIN_KEY);
    }

    @Test
    void readsRoutesAndTemplatesFromTheFoldersTheEnvironmentNames(@TempDir Path folder, @TempDir Path logs)
            throws Exception {
        Path project = Path.of("").toAbsolutePath();
        start(folder, logs, Map.of(
                "HUB_ROUTES_DIR", project.resolve("routes").toString(),
                "HUB_TEMPLATES_DIR", project.resolve("templates").toString()));

        // the shipped YAML route, which queues the 'welcome' template
        HttpResponse<String> accepted = post("/api/v1/events/user-signed-up", "{\"email\":\"ann@example.com\",\"name\":\"Ann\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode sent = awaitSent(Json.parse(accepted.body()).get("id").asText());
        assertThat(sent.path("content").path("subject").asText()).isNotBlank();
        assertThat(sent.path("content").toString()).contains("Ann");

        stopWithSigterm();
        try (Stream<Path> entries = Files.list(folder)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("data");
        }
    }

    private void start(Path folder, Path logs, Map<String, String> environment) throws IOException {
        Path jar = Path.of(System.getProperty("hub.jar", "target/integration-hub.jar")).toAbsolutePath();
        assertThat(jar).as("the packaged hub (mvn package)").isRegularFile();
        port = TestHub.freePort();
        log = logs.resolve("hub.log");
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-jar", jar.toString())
                .directory(folder.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        // only the jar's defaults and what this test sets
        env.keySet().removeIf(name -> Stream.of("HUB_", "DB_", "EMAIL_", "SMS_", "OUTBOX_", "CAMEL_").anyMatch(name::startsWith));
        env.put("HUB_PORT", String.valueOf(port));
        env.put("HUB_ADMIN_KEY", ADMIN_KEY);
        env.putAll(environment);
        hub = builder.start();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(hub.isAlive()).as("hub alive; its log:%n%s", logText()).isTrue();
            assertThat(status("/observe/health/ready")).isEqualTo(200);
        });
    }

    private void stopWithSigterm() throws InterruptedException {
        long started = System.nanoTime();
        hub.destroy(); // SIGTERM
        boolean exited = hub.waitFor(SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(exited).as("exit within %s of SIGTERM; log:%n%s", SHUTDOWN, logText()).isTrue();
        System.out.printf("hub stopped %d ms after SIGTERM, exit %d%n",
                Duration.ofNanos(System.nanoTime() - started).toMillis(), hub.exitValue());
        assertThat(logText()).contains("shutdown");
    }

    private JsonNode awaitSent(String id) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            HttpResponse<String> response = http.send(request("/api/v1/messages/" + id).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            last[0] = Json.parse(response.body());
            assertThat(last[0].get("status").asText()).isEqualTo("sent");
        });
        return last[0];
    }

    private HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private int status(String path) throws InterruptedException {
        try {
            return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notYet) {
            return -1;
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + ADMIN_KEY);
    }

    private String logText() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
