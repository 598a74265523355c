package io.integrationhub.files;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The files API on each provider (one contract, run by {@link LocalFilesTest} and {@link S3FilesTest}), as an app uses it with a plain HTTP client: upload, download (bytes and
 * SHA-256 equal), HEAD, ranges, listing with prefix and paging, delete, signed GET and PUT URLs before and after
 * expiry and when tampered, checksums, the size limit, app scoping, and hostile keys that write nothing.
 */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
abstract class FilesContractTest {

    static final long MAX = 6 * 1024 * 1024;

    Path data;

    TestHub hub;
    String shop;
    private String blog;
    private final HttpClient http = HttpClient.newHttpClient();

    /** The provider's settings, its peer started. */
    abstract Map<String, String> provider(Path data) throws Exception;

    /** After a file was deleted: nothing of it is left with the provider. */
    abstract void assertNothingLeftOf(String app, String key) throws Exception;

    /** Stops the provider's peer. */
    void stopProvider() {
    }

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        data = dir;
        Map<String, String> settings = new java.util.HashMap<>(provider(data));
        settings.put("files.local-folder", data.resolve("files").toString());
        settings.put("files.max-bytes", String.valueOf(MAX));
        settings.put("hub.http.body-timeout-seconds", "3");
        hub = TestHub.start(data, settings);
        shop = hub.createKey("shop", "sender").get("key").asText();
        blog = hub.createKey("blog", "sender").get("key").asText();
    }

    @AfterAll
    void stop() {
        if (hub != null) {
            hub.close();
        }
        stopProvider();
    }

    HttpResponse<byte[]> send(String method, String path, String key, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(path.startsWith("http") ? URI.create(path) : hub.uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void anUploadComesBackByteForByteWithItsDescription() throws Exception {
        byte[] pdf = random(700_000, 1);
        HttpResponse<byte[]> put = send("PUT", "/api/v1/files/invoices/2026/11/inv-1.pdf", shop, pdf,
                "Content-Type", "application/pdf", "X-Checksum-SHA256", sha256(pdf));
        assertThat(put.statusCode()).as(text(put)).isEqualTo(201);
        JsonNode stored = Json.parse(text(put));
        assertThat(stored.get("key").asText()).isEqualTo("invoices/2026/11/inv-1.pdf");
        assertThat(stored.get("size").asLong()).isEqualTo(700_000);
        assertThat(stored.get("contentType").asText()).isEqualTo("application/pdf");
        assertThat(stored.get("sha256").asText()).isEqualTo(sha256(pdf));

        HttpResponse<byte[]> got = send("GET", "/api/v1/files/invoices/2026/11/inv-1.pdf", shop, null);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(sha256(got.body())).isEqualTo(sha256(pdf));
        assertThat(got.headers().firstValue("Content-Length")).hasValue("700000");
        assertThat(got.headers().firstValue("Content-Type")).hasValue("application/pdf");
        assertThat(got.headers().firstValue("ETag")).hasValue(stored.get("etag").asText());

        HttpResponse<byte[]> head = send("HEAD", "/api/v1/files/invoices/2026/11/inv-1.pdf", shop, null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue("700000");
        assertThat(head.body()).isEmpty();

        HttpResponse<byte[]> part = send("GET", "/api/v1/files/invoices/2026/11/inv-1.pdf", shop, null, "Range", "bytes=100-199");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(pdf, 100, 200));
        assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 100-199/700000");
        HttpResponse<byte[]> tail = send("GET", "/api/v1/files/invoices/2026/11/inv-1.pdf", shop, null, "Range", "bytes=-10");
        assertThat(tail.body()).isEqualTo(java.util.Arrays.copyOfRange(pdf, 699_990, 700_000));
        HttpResponse<byte[]> outside = send("GET", "/api/v1/files/invoices/2026/11/inv-1.pdf", shop, null, "Range", "bytes=700000-");
        assertThat(outside.statusCode()).isEqualTo(416);
        assertThat(outside.headers().firstValue("Content-Range")).hasValue("bytes */700000");

        // overwritten: the new bytes, then deleted (twice: 204 both times), then gone
        byte[] second = random(1000, 2);
        assertThat(send("PUT", "/api/v1/files/invoices/2026/11/inv-1.pdf", shop, second).statusCode()).isEqualTo(201);
        assertThat(send("GET", "/api/v1/files/invoices/2026/11/inv-1.pdf", shop, null).body()).isEqualTo(second);
        assertThat(send("DELETE", "/api/v1/files/invoices/2026/11/inv-1.pdf", shop, null).statusCode()).isEqualTo(204);
        assertThat(send("DELETE", "/api/v1/files/invoices/2026/11/inv-1.pdf", shop, null).statusCode()).isEqualTo(204);
        assertThat(send("GET", "/api/v1/files/invoices/2026/11/inv-1.pdf", shop, null).statusCode()).isEqualTo(404);
        assertNothingLeftOf("shop", "invoices/2026/11/inv-1.pdf");
    }

    @Test
    void aFileLargerThanThePartSizeGoesInPartsAndComesBackWhole() throws Exception {
        byte[] big = random(5 * 1024 * 1024 + 512 * 1024, 8);
        HttpResponse<byte[]> put = send("PUT", "/api/v1/files/big/archive.zip", shop, big, "Content-Type", "application/zip");
        assertThat(put.statusCode()).as(text(put)).isEqualTo(201);
        assertThat(Json.parse(text(put)).get("size").asLong()).isEqualTo(big.length);
        HttpResponse<byte[]> got = send("GET", "/api/v1/files/big/archive.zip", shop, null);
        assertThat(got.headers().firstValue("Content-Length")).hasValue(String.valueOf(big.length));
        assertThat(sha256(got.body())).isEqualTo(sha256(big));
        HttpResponse<byte[]> middle = send("GET", "/api/v1/files/big/archive.zip", shop, null,
                "Range", "bytes=5242000-5243000");
        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(middle.body()).isEqualTo(java.util.Arrays.copyOfRange(big, 5_242_000, 5_243_001));
    }

    @Test
    void anIdempotencyKeyReplaysTheSameUploadAndRefusesAnother() throws Exception {
        byte[] first = random(10_000, 9);
        HttpResponse<byte[]> put = send("PUT", "/api/v1/files/idem/a.bin", shop, first, "Idempotency-Key", "upload-a");
        assertThat(put.statusCode()).isEqualTo(201);
        HttpResponse<byte[]> again = send("PUT", "/api/v1/files/idem/a.bin", shop, first, "Idempotency-Key", "upload-a");
        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(text(again)).isEqualTo(text(put));
        HttpResponse<byte[]> other = send("PUT", "/api/v1/files/idem/a.bin", shop, random(10_000, 10), "Idempotency-Key", "upload-a");
        assertThat(other.statusCode()).isEqualTo(422);
        assertThat(send("GET", "/api/v1/files/idem/a.bin", shop, null).body()).isEqualTo(first);
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void listingPagesThroughAPrefix() throws Exception {
        for (int i = 0; i < 7; i++) {
            assertThat(send("PUT", "/api/v1/files/reports/r" + i + ".csv", blog, ("row " + i).getBytes()).statusCode()).isEqualTo(201);
        }
        send("PUT", "/api/v1/files/other/x.csv", blog, "x".getBytes());
        send("PUT", "/api/v1/files/Reports/upper.csv", blog, "x".getBytes());
        List<String> keys = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse<byte[]> page = send("GET", "/api/v1/files?prefix=reports/&limit=3"
                    + (cursor == null ? "" : "&cursor=" + cursor), blog, null);
            assertThat(page.statusCode()).as(text(page)).isEqualTo(200);
            JsonNode body = Json.parse(text(page));
            body.get("items").forEach(item -> keys.add(item.get("key").asText()));
            cursor = body.get("nextCursor").isNull() ? null : body.get("nextCursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(keys).containsExactly("reports/r0.csv", "reports/r1.csv", "reports/r2.csv", "reports/r3.csv",
                "reports/r4.csv", "reports/r5.csv", "reports/r6.csv");
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void signedUrlsWorkUntilTheyExpireAndOnlyAsSigned() throws Exception {
        byte[] export = random(5000, 3);
        send("PUT", "/api/v1/files/exports/e.csv", shop, export, "Content-Type", "text/csv");
        JsonNode get = Json.parse(text(send("POST", "/api/v1/files/exports/e.csv/signed-url", shop,
                "{\"expiresIn\": 60, \"method\": \"GET\"}".getBytes(), "Content-Type", "application/json")));
        String url = get.get("url").asText();
        HttpResponse<byte[]> followed = send("GET", url, null, null);
        assertThat(followed.statusCode()).isEqualTo(200);
        assertThat(followed.body()).isEqualTo(export);
        assertThat(followed.headers().firstValue("Content-Type")).hasValue("text/csv");

        String tampered = url.replace("exports/e.csv", "exports/f.csv");
        assertThat(send("GET", tampered, null, null).statusCode()).isEqualTo(403);
        String badSignature = url.substring(0, url.length() - 1) + (url.endsWith("0") ? "1" : "0");
        assertThat(send("GET", badSignature, null, null).statusCode()).isEqualTo(403);
        assertThat(send("PUT", url, null, "new".getBytes()).statusCode()).as("a GET URL used to PUT").isEqualTo(403);

        JsonNode put = Json.parse(text(send("POST", "/api/v1/files/uploads/avatar.png/signed-url", shop,
                "{\"expiresIn\": 60, \"method\": \"PUT\"}".getBytes(), "Content-Type", "application/json")));
        byte[] avatar = random(2000, 4);
        String putUrl = put.get("url").asText();
        // the hub answers 201, S3 itself 200
        assertThat(send("PUT", putUrl, null, avatar, "Content-Type", "image/png").statusCode()).isIn(200, 201);
        assertThat(send("GET", "/api/v1/files/uploads/avatar.png", shop, null).body()).isEqualTo(avatar);
        assertThat(send("PUT", putUrl.replace("avatar.png", "other.png"), null, avatar).statusCode())
                .as("a PUT URL used for another key").isEqualTo(403);
        assertThat(send("GET", "/api/v1/files/uploads/other.png", shop, null).statusCode()).isEqualTo(404);

        JsonNode shortLived = Json.parse(text(send("POST", "/api/v1/files/exports/e.csv/signed-url", shop,
                "{\"expiresIn\": 1}".getBytes(), "Content-Type", "application/json")));
        Thread.sleep(2100);
        assertThat(send("GET", shortLived.get("url").asText(), null, null).statusCode()).as("expired").isEqualTo(403);

        HttpResponse<byte[]> tooLong = send("POST", "/api/v1/files/exports/e.csv/signed-url", shop,
                "{\"expiresIn\": 604801}".getBytes(), "Content-Type", "application/json");
        assertThat(tooLong.statusCode()).isEqualTo(422);
    }

    @Test
    void checksumsAndTheSizeLimitStoreNothingWhenTheyFail() throws Exception {
        byte[] body = random(4000, 5);
        String wrongMd5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest("other".getBytes()));
        assertThat(send("PUT", "/api/v1/files/checked/a.bin", shop, body, "Content-MD5", wrongMd5).statusCode()).isEqualTo(400);
        assertThat(send("PUT", "/api/v1/files/checked/b.bin", shop, body, "X-Checksum-SHA256", sha256("other".getBytes()))
                .statusCode()).isEqualTo(400);
        String rightMd5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(body));
        assertThat(send("PUT", "/api/v1/files/checked/c.bin", shop, body, "Content-MD5", rightMd5).statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/api/v1/files/checked/big.bin", shop, random((int) MAX + 1, 6)).statusCode()).isEqualTo(413);
        assertThat(send("GET", "/api/v1/files/checked/a.bin", shop, null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/api/v1/files/checked/b.bin", shop, null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/api/v1/files/checked/big.bin", shop, null).statusCode()).isEqualTo(404);
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void anAppReachesOnlyItsOwnFilesAndAnAdminReachesAll() throws Exception {
        send("PUT", "/api/v1/files/private/notes.txt", shop, "shop's".getBytes());
        assertThat(send("GET", "/api/v1/files/private/notes.txt", blog, null).statusCode()).isEqualTo(404);
        assertThat(Json.parse(text(send("GET", "/api/v1/files?prefix=private/", blog, null))).get("items")).isEmpty();
        assertThat(send("DELETE", "/api/v1/files/private/notes.txt", blog, null).statusCode()).isEqualTo(204);
        assertThat(send("PUT", "/api/v1/files/private/notes.txt", blog, "blog's".getBytes()).statusCode()).isEqualTo(201);
        assertThat(text(send("GET", "/api/v1/files/private/notes.txt", shop, null))).isEqualTo("shop's");
        assertThat(text(send("GET", "/api/v1/files/private/notes.txt", blog, null))).isEqualTo("blog's");
        assertThat(send("GET", "/api/v1/files/private/notes.txt?app=blog", shop, null).statusCode()).isEqualTo(403);
        assertThat(text(send("GET", "/api/v1/files/private/notes.txt?app=shop", TestHub.ADMIN_KEY, null))).isEqualTo("shop's");
        JsonNode all = Json.parse(text(send("GET", "/api/v1/files?prefix=private/", TestHub.ADMIN_KEY, null)));
        assertThat(all.get("items")).extracting(item -> item.get("app").asText()).contains("shop", "blog");
    }

    @Test
    void aRouteStoresAndReadsAnAppsFiles() throws Exception {
        byte[] report = random(300_000, 7);
        Object stored = hub.producer().send("direct:upload-file", e -> {
            e.getMessage().setBody(new java.io.ByteArrayInputStream(report));
            e.getMessage().setHeader(FileRoutes.KEY, "nightly/report.bin");
            e.setProperty(FileRoutes.APP, "shop");
        }).getMessage().getBody();
        assertThat(stored).isInstanceOf(StoredFile.class);
        assertThat(((StoredFile) stored).sha256()).isEqualTo(sha256(report));
        assertThat(send("GET", "/api/v1/files/nightly/report.bin", shop, null).body()).isEqualTo(report);

        org.apache.camel.Exchange read = hub.producer().send("direct:download-file", e -> {
            e.getMessage().setHeader(FileRoutes.KEY, "nightly/report.bin");
            e.setProperty(FileRoutes.APP, "shop");
        });
        try (java.io.InputStream in = read.getMessage().getBody(java.io.InputStream.class)) {
            assertThat(in.readAllBytes()).isEqualTo(report);
        }
        assertThat(read.getMessage().getHeader("fileSize", Long.class)).isEqualTo(300_000L);

        Exception refused = hub.producer().send("direct:upload-file", e -> {
            e.getMessage().setBody("x");
            e.getMessage().setHeader(FileRoutes.KEY, "../escape");
        }).getException();
        assertThat(refused).isInstanceOf(io.integrationhub.delivery.InvalidMessageException.class);
        assertThat(hub.producer().send("direct:delete-file", e -> {
            e.getMessage().setHeader(FileRoutes.KEY, "nightly/report.bin");
            e.setProperty(FileRoutes.APP, "shop");
        }).getMessage().getBody(Boolean.class)).isTrue();
    }

    @Test
    void lyingAndSlowBodiesWriteNothing() throws Exception {
        // a Content-Length larger than the limit: refused before a byte of the body is read
        String[] tooLarge = rawHead("PUT /api/v1/files/lies/huge.bin", MAX + 1, new byte[0], false);
        assertThat(tooLarge[0]).isEqualTo("413");
        // no Content-Length at all (chunked): refused, the length must be said first
        try (java.net.Socket socket = new java.net.Socket("localhost", hub.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("PUT /api/v1/files/lies/chunked.bin HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + shop + "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(answer).endsWith("411");
        }
        // fewer bytes than announced, then the client goes away: nothing stored
        String[] shortBody = rawHead("PUT /api/v1/files/lies/short.bin", 1000, "only ten b".getBytes(), true);
        assertThat(shortBody[0]).isNotEqualTo("201");
        // a body that trickles in: the connection is closed at the body deadline (3 s here), nothing stored
        long started = System.nanoTime();
        String[] slow = rawHead("PUT /api/v1/files/lies/slow.bin", 100, "a".getBytes(), false);
        assertThat(slow[0]).as("no answer: the connection was closed").isEmpty();
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(8_000);
        for (String key : new String[] {"huge.bin", "chunked.bin", "short.bin", "slow.bin"}) {
            assertThat(send("GET", "/api/v1/files/lies/" + key, shop, null).statusCode()).isEqualTo(404);
        }
        assertThat(temporaryFiles()).isEmpty();
    }

    /**
     * A request line and headers with this Content-Length, then {@code body}, then (when {@code close}) the end of the
     * client's output; the status the server answered ("" when it closed the connection without one) and the rest.
     */
    private String[] rawHead(String requestLine, long contentLength, byte[] body, boolean close) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("localhost", hub.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((requestLine + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + shop
                    + "\r\nContent-Length: " + contentLength + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            if (close) {
                socket.shutdownOutput();
            }
            String answer;
            try {
                answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.net.SocketException reset) {
                answer = "";
            }
            return answer.length() >= 12 ? new String[] {answer.substring(9, 12), answer} : new String[] {"", answer};
        }
    }

    static Stream<Arguments> hostileKeys() {
        return Stream.of(
                Arguments.of("dot segment", "/api/v1/files/a/./b", 422),
                Arguments.of("percent-encoded dot dot", "/api/v1/files/a/%2e%2e/b", 422),
                Arguments.of("percent-encoded upper-case dot dot", "/api/v1/files/a/%2E%2E/b", 422),
                Arguments.of("double-encoded dot dot", "/api/v1/files/a/%252e%252e/b", 422),
                Arguments.of("encoded slash", "/api/v1/files/a%2f..%2fb", 422),
                Arguments.of("double-encoded slash", "/api/v1/files/a%252f..%252fb", 422),
                Arguments.of("backslash", "/api/v1/files/a%5c..%5cb", 422),
                Arguments.of("double-encoded backslash", "/api/v1/files/a%255c..%255cb", 422),
                Arguments.of("overlong UTF-8 dot", "/api/v1/files/a/%c0%ae%c0%ae/b", 422),
                Arguments.of("overlong UTF-8 slash", "/api/v1/files/a%c0%afb", 422),
                Arguments.of("three-byte overlong dot", "/api/v1/files/a/%e0%80%ae/b", 422),
                Arguments.of("lone continuation byte", "/api/v1/files/a%80b", 422),
                Arguments.of("truncated UTF-8", "/api/v1/files/a%e2%82", 422),
                Arguments.of("NUL byte", "/api/v1/files/a%00b", 422),
                Arguments.of("double-encoded NUL", "/api/v1/files/a%2500b", 422),
                Arguments.of("line feed", "/api/v1/files/a%0ab", 422),
                Arguments.of("carriage return", "/api/v1/files/a%0db", 422),
                Arguments.of("tab", "/api/v1/files/a%09b", 422),
                Arguments.of("DEL", "/api/v1/files/a%7fb", 422),
                Arguments.of("C1 control", "/api/v1/files/a%c2%85b", 422),
                Arguments.of("empty segment", "/api/v1/files/a//b", 422),
                Arguments.of("leading slash", "/api/v1/files//a", 422),
                Arguments.of("trailing slash", "/api/v1/files/a/", 422),
                // refused by the server itself, before any route
                Arguments.of("broken escape", "/api/v1/files/a%zz", 400),
                Arguments.of("short escape", "/api/v1/files/a%2", 400),
                Arguments.of("key of 1,025 bytes", "/api/v1/files/" + "k".repeat(1025), 422),
                Arguments.of("key of 1,025 bytes in two-byte characters", "/api/v1/files/" + "%c3%a9".repeat(512) + "k", 422),
                Arguments.of("replacement character", "/api/v1/files/a%ef%bf%bdb", 422),
                Arguments.of("encoded surrogate half", "/api/v1/files/a%ed%a0%80b", 422),
                // the server resolves the dot segment before any route: no route is left to take it
                Arguments.of("dot dot alone", "/api/v1/files/%2e%2e", 404));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileKeys")
    void hostileKeysWriteNothing(String name, String path, int status) throws Exception {
        // written on the socket as given: an HTTP client library would refuse to send some of these paths
        String[] response = raw("PUT", path, shop, "payload");
        assertThat(Integer.parseInt(response[0])).as(response[1]).isEqualTo(status);
        if (status == 422) {
            assertThat(response[1]).contains("\"field\":\"key\"");
        }
        assertThat(temporaryFiles()).isEmpty();
        assertThat(Json.parse(text(send("GET", "/api/v1/files?prefix=a", shop, null))).get("items")).isEmpty();
    }


    /** One HTTP/1.1 request on a socket of its own, the path exactly as given: the status and the body. */
    String[] raw(String method, String path, String key, String body) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("localhost", hub.port())) {
            socket.setSoTimeout(10_000);
            byte[] payload = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Length: " + payload.length + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(payload);
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return new String[] {answer.substring(9, 12), answer.substring(Math.max(0, answer.indexOf("\r\n\r\n")))};
        }
    }

    List<Path> temporaryFiles() throws Exception {
        try (var all = Files.list(data.resolve("files").resolve("tmp"))) {
            return all.toList();
        }
    }
}
