package io.integrationhub;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's run command, as a new user runs it: in a clean copy of the project (what git tracks, nothing
 * built), with no key and no setting but the port. It must print an admin key once, answer /observe/health, and
 * accept and send an email with that key.
 */
class ReadmeRunCommandTest {

    static final String RUN_COMMAND = "mvn -q compile exec:java";
    private static final Pattern KEY = Pattern.compile("(hk_[0-9a-f]{16}_[A-Za-z0-9_-]{43})");

    @TempDir
    Path clone;

    @Test
    void runCommandStartsTheHubOnEmbeddedDefaults() throws Exception {
        assertThat(Files.readAllLines(Path.of("README.md"))).contains(RUN_COMMAND);
        copyTrackedFiles(clone);
        int port = TestHub.freePort();
        ProcessBuilder builder = new ProcessBuilder(List.of("mvn", "-B", "-q", "compile", "exec:java"))
                .directory(clone.toFile()).redirectErrorStream(true);
        builder.environment().put("HUB_PORT", String.valueOf(port));
        builder.environment().remove("HUB_ADMIN_KEY");
        long started = System.nanoTime();
        Process hub = builder.start();
        try {
            CompletableFuture<String> printedKey = new CompletableFuture<>();
            StringBuilder output = new StringBuilder();
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(hub.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        output.append(line).append('\n');
                        Matcher m = KEY.matcher(line);
                        if (m.find()) {
                            printedKey.complete(m.group(1));
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
                printedKey.complete(null);
            });
            reader.setDaemon(true);
            reader.start();

            String key = printedKey.get(240, TimeUnit.SECONDS);
            assertThat(key).as("admin key printed on first start; output:%n%s", output).isNotNull();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> health = null;
            for (int i = 0; i < 600 && (health == null || health.statusCode() != 200); i++) {
                try {
                    health = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/observe/health")).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
            assertThat(health).isNotNull();
            assertThat(health.statusCode()).isEqualTo(200);
            System.out.printf("README run command: ready in %d ms (including the Maven build)%n",
                    Duration.ofNanos(System.nanoTime() - started).toMillis());

            HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/email"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"to\":\"ann@example.com\",\"subject\":\"Hello\",\"text\":\"Hi\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(accepted.statusCode()).isEqualTo(202);
            String statusUrl = Json.parse(accepted.body()).get("statusUrl").asText();
            String status = "";
            for (int i = 0; i < 100 && !status.equals("sent"); i++) {
                Thread.sleep(100);
                status = Json.parse(http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + statusUrl))
                        .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .get("status").asText();
            }
            assertThat(status).isEqualTo("sent");
            assertThat(Files.isDirectory(clone.resolve("data"))).as("embedded store under data/").isTrue();
            // the key is printed once: it is not in any log line, only in the first-start banner
            assertThat(output.toString().split(Pattern.quote(key), -1)).hasSize(2);
        } finally {
            hub.destroy();
            if (!hub.waitFor(20, TimeUnit.SECONDS)) {
                hub.destroyForcibly();
            }
        }
    }

    /** What a clone holds: the files git tracks (or, outside git, the project's own folders). */
    private static void copyTrackedFiles(Path target) throws Exception {
        Process git = new ProcessBuilder("git", "ls-files", "-z").redirectErrorStream(false).start();
        String listing = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(git.waitFor()).isZero();
        for (String file : listing.split("\0")) {
            if (file.isEmpty() || !Files.exists(Path.of(file))) {
                continue;
            }
            Path to = target.resolve(file);
            Files.createDirectories(to.getParent());
            Files.copy(Path.of(file), to);
        }
    }
}
