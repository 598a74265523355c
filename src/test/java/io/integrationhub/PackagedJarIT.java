package io.integrationhub;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.testing.JarHub;
import io.integrationhub.testing.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployable artifact as an operator runs it: {@code java -jar integration-hub.jar} (built by {@code mvn package},
 * run by failsafe in {@code mvn verify}) in a folder of its own, with nothing but the jar's own defaults and the
 * environment. One hub process per case.
 */
class PackagedJarIT {

    private JarHub hub;

    @AfterEach
    void stopHub() throws InterruptedException {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void theReadmeDeploysThisJar() throws IOException {
        assertThat(Files.readAllLines(Path.of("README.md"))).contains(
                "mvn -q package -DskipTests        # target/integration-hub.jar", "java -Xmx512m -jar integration-hub.jar");
    }

    @Test
    void startsFromAnEmptyFolderSendsAnEmailAndStopsOnSigterm(@TempDir Path folder, @TempDir Path logs) throws Exception {
        hub = JarHub.start(folder, logs, "512m", Map.of());

        HttpResponse<String> accepted = hub.post("/api/v1/email",
                "{\"to\":\"ann@example.com\",\"subject\":\"Hello\",\"text\":\"Hi from the jar\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = Json.parse(accepted.body()).get("id").asText();
        hub.awaitSent(id, Duration.ofSeconds(30));

        // no templates/ here: a template is unknown, a 422 naming the field, and the hub goes on
        HttpResponse<String> template = hub.post("/api/v1/email", "{\"to\":\"ann@example.com\",\"template\":\"welcome\"}");
        assertThat(template.statusCode()).as(template.body()).isEqualTo(422);
        assertThat(template.body()).contains("\"field\":\"template\"").contains("is not a known template");

        System.out.printf("hub stopped %d ms after SIGTERM%n", hub.stopWithSigterm().toMillis());
        // the embedded store lives under the working folder's data/, and the hub wrote nothing else there
        try (Stream<Path> entries = Files.list(folder)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("data");
        }
        try (Stream<Path> files = Files.list(folder.resolve("data"))) {
            assertThat(files.filter(Files::isRegularFile).mapToLong(PackagedJarIT::size).sum()).isPositive();
        }
        assertThat(hub.log()).doesNotContain(JarHub.ADMIN_KEY);
    }

    @Test
    void readsRoutesAndTemplatesFromTheFoldersTheEnvironmentNames(@TempDir Path folder, @TempDir Path logs)
            throws Exception {
        Path project = Path.of("").toAbsolutePath();
        hub = JarHub.start(folder, logs, "512m", Map.of(
                "HUB_ROUTES_DIR", project.resolve("routes").toString(),
                "HUB_TEMPLATES_DIR", project.resolve("templates").toString()));

        // the shipped YAML route, which queues the 'welcome' template
        HttpResponse<String> accepted = hub.post("/api/v1/events/user-signed-up", "{\"email\":\"ann@example.com\",\"name\":\"Ann\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode sent = hub.awaitSent(Json.parse(accepted.body()).get("id").asText(), Duration.ofSeconds(30));
        assertThat(sent.path("content").path("subject").asText()).isNotBlank();
        assertThat(sent.path("content").toString()).contains("Ann");

        hub.stopWithSigterm();
        try (Stream<Path> entries = Files.list(folder)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("data");
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
