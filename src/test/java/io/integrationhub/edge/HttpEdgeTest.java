package io.integrationhub.edge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP edge against raw sockets: the hub listens only on the configured address, closes connections that send
 * nothing, or send their headers or body a byte a second, within the configured timeouts, and answers requests it
 * cannot read with problem+json.
 */
class HttpEdgeTest {

    /** The timeouts the hub under test runs with (seconds). */
    private static final int IDLE = 3;
    private static final int HEADER = 2;
    private static final int BODY = 2;
    /** How much later than its timeout a connection may be closed on a loaded machine. */
    private static final long SLACK_MS = 4000;

    @TempDir
    static Path data;

    private static TestHub hub;

    @BeforeAll
    static void startHub() {
        hub = TestHub.start(data, Map.of("hub.bind-address", "127.0.0.1",
                "hub.http.idle-timeout-seconds", String.valueOf(IDLE),
                "hub.http.header-timeout-seconds", String.valueOf(HEADER),
                "hub.http.body-timeout-seconds", String.valueOf(BODY)));
    }

    @AfterAll
    static void stopHub() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void listensOnTheBindAddressOnly() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), hub.port())) {
            socket.setSoTimeout(15_000);
            assertThat(exchange(socket, "GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
        }
        Optional<InetAddress> other = nonLoopbackAddress();
        // a machine with no other address cannot show the other half
        Assumptions.assumeTrue(other.isPresent(), "this machine has no non-loopback address");
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(other.get(), hub.port()), 5000);
            }
        }).isInstanceOf(ConnectException.class);
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeout() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), hub.port())) {
            long start = System.nanoTime();
            socket.setSoTimeout((int) (IDLE * 1000 + SLACK_MS + 10_000));
            assertThat(readUntilClosed(socket.getInputStream())).isEmpty();
            assertThat(millisSince(start)).isBetween(IDLE * 1000L - 500, IDLE * 1000L + SLACK_MS);
        }
    }

    @Test
    void headersSentAByteASecondAreCutOffAfterTheHeaderTimeout() throws Exception {
        String headers = "GET /openapi.json HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + "a".repeat(200) + "\r\n\r\n";
        assertCutOff(headers.getBytes(StandardCharsets.US_ASCII), 0, HEADER);
    }

    @Test
    void aBodySentAByteASecondIsCutOffAfterTheBodyTimeout() throws Exception {
        String body = "{\"to\": [\"a@example.com\"], \"subject\": \"slow\", \"text\": \"" + "a".repeat(200) + "\"}";
        String head = "POST /api/v1/email HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + TestHub.ADMIN
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n";
        byte[] request = (head + body).getBytes(StandardCharsets.US_ASCII);
        assertCutOff(request, head.length(), BODY);
    }

    @Test
    void aTooLongUriIs414ProblemJson() throws IOException {
        assertProblem("GET /openapi.json?q=" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414);
    }

    @Test
    void tooLargeHeadersAre431ProblemJson() throws IOException {
        assertProblem("GET /openapi.json HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n", 431);
    }

    @Test
    void aMalformedRequestLineIs400ProblemJson() throws IOException {
        assertProblem("NONSENSE\r\n\r\n", 400);
    }

    @Test
    void aMalformedHeaderIs400ProblemJson() throws IOException {
        assertProblem("GET /openapi.json HTTP/1.1\r\nHost: x\r\nBad Header : value\r\n\r\n", 400);
    }

    @Test
    void aMediaTypeIsReadWhateverItsCase() throws Exception {
        String email = "{\"to\": [\"ann@example.com\"], \"subject\": \"Hi\", \"text\": \"Hello\"}";
        for (String contentType : List.of("Application/JSON", "APPLICATION/json; charset=UTF-8", "application/json")) {
            var response = hub.request("POST", "/api/v1/email", TestHub.ADMIN, email, "Content-Type", contentType);
            assertThat(response.statusCode()).as(contentType).isEqualTo(202);
        }
        var text = hub.request("POST", "/api/v1/email", TestHub.ADMIN, email, "Content-Type", "Text/Plain");
        assertThat(text.statusCode()).isEqualTo(415);
    }

    @Test
    void aMethodThePathDoesNotTakeIs405WithAllow() throws Exception {
        var response = request("PUT", "/api/v1/messages", "{}");
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(Json.parse(response.body()).path("status").asInt()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("GET");
        var keys = request("PATCH", "/api/v1/keys/some-id", "{}");
        assertThat(keys.statusCode()).isEqualTo(405);
        assertThat(keys.headers().firstValue("Allow")).hasValue("DELETE");
    }

    @Test
    void aTooLargeBodyOverH2cIs413ProblemJson() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
        // the first request upgrades the connection to HTTP/2
        HttpResponse<String> upgrade = h2.send(HttpRequest.newBuilder(hub.uri("/openapi.json")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(upgrade.statusCode()).isEqualTo(200);
        byte[] body = ("{\"to\": [\"a@example.com\"], \"subject\": \"big\", \"text\": \"" + "a".repeat(2 * 1024 * 1024) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = h2.send(HttpRequest.newBuilder(hub.uri("/api/v1/email"))
                .header("Authorization", TestHub.ADMIN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.headers().firstValue("Connection")).isEmpty();
        assertThat(Json.parse(response.body()).path("status").asInt()).isEqualTo(413);
    }

    @Test
    void aTooLargeBodyOverH2cWithPriorKnowledgeIs413ProblemJson() throws Exception {
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            io.vertx.core.http.HttpClient client = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
                    .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
            String body = "{\"to\": [\"a@example.com\"], \"subject\": \"big\", \"text\": \"" + "a".repeat(2 * 1024 * 1024) + "\"}";
            String[] answer = client.request(io.vertx.core.http.HttpMethod.POST, hub.port(), "127.0.0.1", "/api/v1/email")
                    .compose(request -> request.putHeader("Authorization", TestHub.ADMIN)
                            .putHeader("Content-Type", "application/json").send(io.vertx.core.buffer.Buffer.buffer(body)))
                    .compose(response -> response.body().map(content -> new String[] {response.version().name(),
                            String.valueOf(response.statusCode()), response.getHeader("Content-Type"),
                            String.valueOf(response.getHeader("Connection")), content.toString()}))
                    .toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(answer[0]).isEqualTo("HTTP_2");
            assertThat(answer[1]).isEqualTo("413");
            assertThat(answer[2]).isEqualTo("application/problem+json");
            assertThat(answer[3]).isEqualTo("null");
            assertThat(Json.parse(answer[4]).path("status").asInt()).isEqualTo(413);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void aClientThatHangsUpMidRequestIsLoggedAtDebugOnly() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try {
            for (String path : new String[] {"/api/v1/email", "/api/v1/events/user-signed-up"}) {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), hub.port())) {
                    socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: "
                            + TestHub.ADMIN + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"to\": ")
                            .getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    Thread.sleep(300);
                    socket.setSoLinger(true, 0);
                }
            }
            // one that hangs up before its headers are whole, one before sending anything
            for (String partial : new String[] {"GET /openapi.json HTTP/1.1\r\nHost: x\r\nX-Half: ", ""}) {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), hub.port())) {
                    socket.getOutputStream().write(partial.getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    Thread.sleep(200);
                    socket.setSoLinger(true, 0);
                }
            }
            // and one that sends a whole request and hangs up before the answer
            String email = "{\"to\": [\"a@example.com\"], \"subject\": \"gone\", \"text\": \"hi\"}";
            for (String path : new String[] {"/api/v1/email", "/api/v1/messages?limit=100"}) {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), hub.port())) {
                    boolean post = path.equals("/api/v1/email");
                    socket.getOutputStream().write(((post ? "POST " : "GET ") + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: "
                            + TestHub.ADMIN + (post ? "\r\nContent-Type: application/json\r\nContent-Length: " + email.length()
                            + "\r\n\r\n" + email : "\r\n\r\n")).getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    socket.setSoLinger(true, 0);
                }
            }
            // the hub goes on serving, and has noticed the hang-ups by now
            assertThat(request("GET", "/openapi.json", null).statusCode()).isEqualTo(200);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                    assertThat(snapshot(logs).stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                            .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList()).isEmpty());
        } finally {
            root.detachAppender(logs);
        }
    }

    /**
     * A request on a connection of its own: this hub closes idle connections after a few seconds, and a pooled one
     * could be closed just as a client reuses it.
     */
    private static HttpResponse<String> request(String method, String path, String json) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(hub.uri(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", TestHub.ADMIN)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What the appender holds so far (logback appends under the appender's lock). */
    private static java.util.List<ILoggingEvent> snapshot(ListAppender<ILoggingEvent> logs) {
        synchronized (logs) {
            return new java.util.ArrayList<>(logs.list);
        }
    }

    /**
     * Sends {@code request}: the first {@code fast} bytes at once, the rest a byte a second. The hub must close the
     * connection within {@code timeout} seconds (plus slack) of the slow part starting, before the request is whole.
     */
    private static void assertCutOff(byte[] request, int fast, int timeout) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), hub.port())) {
            socket.setSoTimeout((int) (timeout * 1000 + SLACK_MS + 10_000));
            OutputStream out = socket.getOutputStream();
            out.write(request, 0, fast);
            out.flush();
            long start = System.nanoTime();
            AtomicBoolean whole = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = fast; i < request.length; i++) {
                        out.write(request[i]);
                        out.flush();
                        Thread.sleep(1000);
                    }
                    whole.set(true);
                } catch (IOException | InterruptedException e) {
                    // the hub closed the connection
                }
            });
            writer.setDaemon(true);
            writer.start();
            String answer = readUntilClosed(socket.getInputStream());
            long elapsed = millisSince(start);
            writer.interrupt();
            assertThat(whole).isFalse();
            assertThat(answer).doesNotContain("HTTP/1.1 2");
            assertThat(elapsed).isBetween(timeout * 1000L - 500, timeout * 1000L + SLACK_MS);
        }
        // and the hub still serves everyone else
        assertThat(request("GET", "/openapi.json", null).statusCode()).isEqualTo(200);
    }

    private static void assertProblem(String request, int status) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), hub.port())) {
            socket.setSoTimeout(15_000);
            String answer = exchange(socket, request);
            // a request line Netty could not read is answered in HTTP/1.0
            assertThat(answer).matches("(?s)HTTP/1\\.[01] " + status + " .*");
            assertThat(answer.toLowerCase()).contains("content-type: application/problem+json");
            JsonNode problem = Json.parse(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(problem.path("status").asInt()).isEqualTo(status);
            assertThat(problem.path("title").asText()).isNotBlank();
        }
    }

    /** Writes the request and reads until the hub closes the connection (these answers all close it). */
    private static String exchange(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return readUntilClosed(socket.getInputStream());
    }

    private static String readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                read.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the hub did not close the connection; read so far: " + read, e);
        } catch (IOException e) {
            // reset by the hub: closed as well
        }
        return read.toString(StandardCharsets.ISO_8859_1);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        return Optional.of(address);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
