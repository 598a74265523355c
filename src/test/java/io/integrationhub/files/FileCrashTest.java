package io.integrationhub.files;

import java.io.OutputStream;
import java.net.Socket;
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

import io.integrationhub.testing.HubProcess;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hub as its own process, killed with SIGKILL in the middle of an upload (half of a 40 MiB body sent): started
 * again, there is no file under the key, and nothing the upload left behind (spooled body, temporary file) remains.
 */
class FileCrashTest {

    private static final String ADMIN_KEY = "file-crash-admin-key-0123456789";

    @TempDir
    Path dir;

    private Process hub;
    private int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() throws Exception {
        if (hub != null && hub.isAlive()) {
            hub.destroyForcibly();
            hub.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void anUploadCutOffByACrashLeavesNoFileUnderItsKey() throws Exception {
        port = TestHub.freePort();
        Path files = dir.resolve("files");
        hub = start(files);
        long size = 40L * 1024 * 1024;
        try (Socket socket = new Socket("localhost", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /api/v1/files/cut/off.bin HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + ADMIN_KEY
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[1024 * 1024];
            for (int i = 0; i < 20; i++) {
                out.write(chunk);
            }
            out.flush();
            // the half that arrived is spooled by the server
            await().atMost(Duration.ofSeconds(20)).until(() -> spooledBytes(files.resolve("spool")) > 0);
            hub.destroyForcibly();
            assertThat(hub.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(spooledBytes(files.resolve("spool"))).as("the cut-off body is still on disk after the kill").isPositive();

        hub = start(files);
        HttpResponse<String> got = http.send(HttpRequest.newBuilder(uri("/api/v1/files/cut/off.bin"))
                .header("Authorization", "Bearer " + ADMIN_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(got.statusCode()).isEqualTo(404);
        assertThat(spooledBytes(files.resolve("spool"))).as("spooled bodies removed at start").isZero();
        try (var temporary = Files.list(files.resolve("tmp")); var blobs = Files.list(files.resolve("blobs"))) {
            assertThat(temporary.toList()).isEmpty();
            assertThat(blobs.toList()).isEmpty();
        }
    }

    private Process start(Path files) throws Exception {
        Process process = HubProcess.start(port, dir, ADMIN_KEY, dir.resolve("hub.log"), Map.of(
                "FILES_LOCAL_FOLDER", files.toString()), List.of());
        HubProcess.awaitReady(process, port, dir.resolve("hub.log"));
        return process;
    }

    private static long spooledBytes(Path spool) throws Exception {
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        try (var all = Files.walk(spool)) {
            return all.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
