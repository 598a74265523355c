package io.integrationhub.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.integrationhub.HubMain;
import io.integrationhub.outbox.Outbox;
import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.store.Store;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;

/**
 * The real hub (the same Main, application.properties, YAML routes and templates as production) started inside
 * the test JVM on a free port, with its own store, overridden settings and short backoffs.
 */
public final class TestHub implements AutoCloseable {

    public static final String ADMIN_KEY = "test-admin-key-0123456789abcdef";
    public static final String ADMIN = bearer(ADMIN_KEY);

    private final Main main;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestHub(Main main, int port) {
        this.main = main;
        this.port = port;
    }

    /** Settings every test hub gets unless the test overrides them. */
    public static Map<String, String> defaults(Path dataDir) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("db.url", "jdbc:sqlite:" + dataDir.resolve("hub.db").toAbsolutePath());
        settings.put("hub.admin-key", ADMIN_KEY);
        settings.put("email.provider", "console");
        settings.put("delivery.retry-schedule", "50ms, 100ms, 200ms, 400ms, 400ms");
        settings.put("delivery.maximum-retry-after-ms", "5000");
        settings.put("outbox.poll-interval-ms", "200");
        settings.put("camel.main.shutdownTimeout", "5");
        return settings;
    }

    public static TestHub start(Path dataDir, Map<String, String> overrides) {
        Map<String, String> settings = defaults(dataDir);
        settings.putAll(overrides);
        int port = settings.containsKey("hub.port") ? Integer.parseInt(settings.get("hub.port")) : freePort();
        settings.put("hub.port", String.valueOf(port));
        Main main = new Main(HubMain.class);
        main.setPropertyPlaceholderLocations(HubMain.PROPERTY_LOCATIONS);
        settings.forEach(main::addOverrideProperty);
        try {
            main.start();
        } catch (Exception e) {
            // a hub that did not start lets go of its store (its monitor would open the file again meanwhile)
            try {
                var context = main.getCamelContext();
                if (context != null) {
                    var monitor = context.getRegistry().lookupByNameAndType(
                            io.integrationhub.store.StoreConfiguration.MONITOR_BEAN, io.integrationhub.store.StoreMonitor.class);
                    if (monitor != null) {
                        monitor.close();
                    }
                    var store = context.getRegistry().lookupByNameAndType(
                            io.integrationhub.store.StoreConfiguration.STORE_BEAN, Store.class);
                    if (store != null) {
                        store.close();
                    }
                }
                main.stop();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new IllegalStateException("hub did not start", e);
        }
        return new TestHub(main, port);
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String bearer(String key) {
        return "Bearer " + key;
    }

    /** Creates an API key through the API with the admin key; the answer holds id, name, role and the key itself. */
    public com.fasterxml.jackson.databind.JsonNode createKey(String name, String role) {
        HttpResponse<String> created = request("POST", "/api/v1/keys", ADMIN,
                "{\"name\": \"" + name + "\", \"role\": \"" + role + "\"}");
        if (created.statusCode() != 201) {
            throw new AssertionError("key not created: " + created.statusCode() + " " + created.body());
        }
        return Json.parse(created.body());
    }

    public int port() {
        return port;
    }

    public URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public ProducerTemplate producer() {
        return context().createProducerTemplate();
    }

    public Outbox outbox() {
        return context().getRegistry().lookupByNameAndType("outbox", Outbox.class);
    }

    /** The hub's store, for tests that look at (or arrange) rows directly. */
    public Store store() {
        return context().getRegistry().lookupByNameAndType("hubStore", Store.class);
    }

    /**
     * Any request: {@code authorization} is the whole Authorization header (null: none), {@code json} the body sent
     * as application/json (null: no body); extra headers as name, value pairs.
     */
    public HttpResponse<String> request(String method, String path, String authorization, String json, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.setHeader(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    /** POST JSON with the admin key; extra headers as name, value pairs. */
    public HttpResponse<String> post(String path, String json, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i < headers.length; i += 2) {
            request.setHeader(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + ADMIN_KEY).GET().build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the message has the status, and returns it; fails with what it last saw. */
    public OutboxMessage awaitStatus(String id, String status, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        Optional<OutboxMessage> last = Optional.empty();
        while (Instant.now().isBefore(deadline)) {
            last = outbox().find(id);
            if (last.isPresent() && last.get().status().equals(status)) {
                return last.get();
            }
            sleep(50);
        }
        throw new AssertionError("message " + id + " did not become " + status + " within " + timeout + "; last seen: " + last);
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            main.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
