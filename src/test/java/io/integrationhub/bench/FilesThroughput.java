package io.integrationhub.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Random;

import io.integrationhub.testing.TestHub;
import org.gaul.s3proxy.junit.S3ProxyJunitCore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Upload and download throughput of files, in MiB/s, in one run on one machine:
 * <ul>
 * <li>the local provider through the hub ({@code PUT}/{@code GET /api/v1/files/...}) against writing and reading
 * the same file directly on the same disk;</li>
 * <li>the S3 provider through the hub against the same S3Proxy (started here, on the same disk) called directly with
 * the AWS SDK.</li>
 * </ul>
 * Not a test: run it in a JVM of its own with
 * {@code mvn -q test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test "-Dexec.args=-cp %classpath io.integrationhub.bench.FilesThroughput 256 3"}
 * (MiB per file, runs per row; the best run counts).
 */
public final class FilesThroughput {

    private static final String KEY = "benchmark-admin-key-0123456789";

    private FilesThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path work = Files.createTempDirectory("files-throughput");
        Path source = work.resolve("source.bin");
        byte[] block = new byte[1024 * 1024];
        new Random(7).nextBytes(block);
        try (OutputStream out = Files.newOutputStream(source)) {
            for (int i = 0; i < mib; i++) {
                out.write(block);
            }
        }
        HttpClient http = HttpClient.newHttpClient();
        double[] disk = best(runs, () -> {
            Path copy = work.resolve("direct.bin");
            long t0 = System.nanoTime();
            Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
            try (var channel = java.nio.channels.FileChannel.open(copy, java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            long t1 = System.nanoTime();
            try (InputStream in = Files.newInputStream(copy)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return new long[] {t1 - t0, System.nanoTime() - t1};
        });

        double[] local;
        try (TestHub hub = TestHub.start(work.resolve("local"), Map.of("hub.admin-key", KEY,
                "files.local-folder", work.resolve("local-files").toString(), "files.max-bytes", String.valueOf(4L << 30)))) {
            local = best(runs, () -> throughHub(http, hub, source));
        }

        S3ProxyJunitCore s3proxy = new S3ProxyJunitCore.Builder().withCredentials("bench-access", "bench-secret").build();
        s3proxy.beforeEach();
        double[] direct;
        double[] viaHub;
        try (S3Client s3 = S3Client.builder().region(Region.US_EAST_1).endpointOverride(s3proxy.getUri()).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench-access", "bench-secret")))
                .build()) {
            s3.createBucket(b -> b.bucket("bench"));
            direct = best(runs, () -> {
                long t0 = System.nanoTime();
                s3.putObject(b -> b.bucket("bench").key("direct.bin"), RequestBody.fromFile(source));
                long t1 = System.nanoTime();
                try (InputStream in = s3.getObject(b -> b.bucket("bench").key("direct.bin"))) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                return new long[] {t1 - t0, System.nanoTime() - t1};
            });
            try (TestHub hub = TestHub.start(work.resolve("s3"), Map.of("hub.admin-key", KEY, "storage.provider", "s3",
                    "s3.bucket", "bench", "s3.endpoint", s3proxy.getUri().toString(), "aws.access-key-id", "bench-access",
                    "aws.secret-access-key", "bench-secret", "files.local-folder", work.resolve("s3-files").toString(),
                    "files.max-bytes", String.valueOf(4L << 30)))) {
                viaHub = best(runs, () -> throughHub(http, hub, source));
            }
        } finally {
            s3proxy.afterEach();
        }

        System.out.printf("%n%d MiB file, best of %d runs            upload MiB/s  download MiB/s%n", mib, runs);
        row("direct on the same disk (write+fsync, read)", mib, disk);
        row("hub, local provider", mib, local);
        row("S3Proxy, AWS SDK directly", mib, direct);
        row("hub, s3 provider (to that S3Proxy)", mib, viaHub);
        System.out.printf("local provider / disk: upload %.2f, download %.2f%n", disk[0] / local[0], disk[1] / local[1]);
        System.out.printf("s3 provider / S3Proxy: upload %.2f, download %.2f%n", direct[0] / viaHub[0], direct[1] / viaHub[1]);
    }

    private static long[] throughHub(HttpClient http, TestHub hub, Path source) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(hub.uri("/api/v1/files/bench/file.bin"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofFile(source)).build(), HttpResponse.BodyHandlers.ofString());
        long t1 = System.nanoTime();
        if (put.statusCode() != 201) {
            throw new IllegalStateException("upload: " + put.statusCode() + " " + put.body());
        }
        HttpResponse<InputStream> get = http.send(HttpRequest.newBuilder(hub.uri("/api/v1/files/bench/file.bin"))
                .header("Authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = get.body()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return new long[] {t1 - t0, System.nanoTime() - t1};
    }

    @FunctionalInterface
    private interface Run {
        long[] nanos() throws Exception;
    }

    /** The shortest upload and download time of the runs, in nanoseconds. */
    private static double[] best(int runs, Run run) throws Exception {
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        for (int i = 0; i < runs; i++) {
            long[] took = run.nanos();
            best[0] = Math.min(best[0], took[0]);
            best[1] = Math.min(best[1], took[1]);
        }
        return best;
    }

    private static void row(String name, int mib, double[] nanos) {
        System.out.printf("%-44s %13.0f %15.0f%n", name, mib / (nanos[0] / 1e9), mib / (nanos[1] / 1e9));
    }
}
