package io.integrationhub.files;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.integrationhub.testing.HubProcess;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 1 GiB file up and down through a hub in its own JVM with {@code -Xmx256m}: four times its heap, streamed both
 * ways, the bytes' SHA-256 equal, and the heap the hub reports (polled throughout) never near the limit.
 */
class LargeFileStreamingTest {

    private static final String ADMIN_KEY = "large-file-admin-key-0123456789";
    private static final long SIZE = 1024L * 1024 * 1024;

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
    void aGibibyteStreamsThroughAHubWithAQuarterOfItsSizeInHeap() throws Exception {
        port = TestHub.freePort();
        hub = HubProcess.start(port, dir, ADMIN_KEY, dir.resolve("hub.log"), Map.of(
                "FILES_LOCAL_FOLDER", dir.resolve("files").toString(),
                "FILES_MAX_BYTES", String.valueOf(2 * SIZE),
                "HUB_HTTP_BODY_TIMEOUT_SECONDS", "120"), List.of("-Xmx256m"));
        HubProcess.awaitReady(hub, port, dir.resolve("hub.log"));

        AtomicLong heapPeak = new AtomicLong();
        AtomicBoolean transferring = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (transferring.get()) {
                heapPeak.accumulateAndGet(heapUsed(), Math::max);
                TestHub.sleep(500);
            }
        });
        watcher.start();
        try {
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(uri("/api/v1/files/big/gibibyte.bin"))
                    .timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + ADMIN_KEY)
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new PseudoRandom(SIZE, sent)), SIZE)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            String sentSha = HexFormat.of().formatHex(sent.digest());
            assertThat(Json.parse(put.body()).get("sha256").asText()).isEqualTo(sentSha);

            HttpResponse<InputStream> get = http.send(HttpRequest.newBuilder(uri("/api/v1/files/big/gibibyte.bin"))
                    .timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + ADMIN_KEY).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.headers().firstValue("Content-Length")).hasValue(String.valueOf(SIZE));
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            long count = 0;
            try (InputStream in = get.body()) {
                byte[] buffer = new byte[256 * 1024];
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    received.update(buffer, 0, read);
                    count += read;
                }
            }
            assertThat(count).isEqualTo(SIZE);
            assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(sentSha);
        } finally {
            transferring.set(false);
            watcher.join();
        }
        assertThat(heapPeak.get()).as("heap used at its peak (limit 256 MiB)").isPositive()
                .isLessThan(192L * 1024 * 1024);
    }

    /** The hub's heap in use, from its metrics (0 while it does not answer). */
    private long heapUsed() {
        try {
            String metrics = http.send(HttpRequest.newBuilder(uri("/observe/metrics")).timeout(Duration.ofSeconds(5)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            double used = 0;
            for (String line : metrics.split("\n")) {
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    used += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return (long) used;
        } catch (IOException | InterruptedException e) {
            return 0;
        }
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    /** {@code size} bytes: a random 1 MiB block again and again, each copy numbered; hashed as they are read. */
    private static final class PseudoRandom extends InputStream {
        private static final int BLOCK = 1024 * 1024;
        private final MessageDigest digest;
        private final byte[] block = new byte[BLOCK];
        private long position;
        private final long size;

        PseudoRandom(long size, MessageDigest digest) {
            this.size = size;
            this.digest = digest;
            new java.util.Random(42).nextBytes(block);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position >= size) {
                return -1;
            }
            int within = (int) (position % BLOCK);
            if (within == 0) {
                long copy = position / BLOCK;
                for (int i = 0; i < 8; i++) {
                    block[i] = (byte) (copy >>> (8 * i));
                }
            }
            int n = (int) Math.min(Math.min(length, BLOCK - within), size - position);
            System.arraycopy(block, within, buffer, offset, n);
            digest.update(buffer, offset, n);
            position += n;
            return n;
        }
    }
}
