package io.integrationhub.api;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Idempotency-Key on the write endpoints: concurrent retries of one request make one message and get one answer;
 * a key reused for another request is refused; keys belong to the API key's name.
 */
class IdempotencyTest {

    private static final int CONCURRENT = 20;

    @TempDir
    static Path data;

    private static TestHub hub;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startHub() {
        hub = TestHub.start(data, Map.of());
    }

    @AfterAll
    static void stopHub() {
        if (hub != null) {
            hub.close();
        }
    }

    private static String admin() {
        return TestHub.ADMIN;
    }

    /** An email whose subject carries a marker, so that the test can find exactly its own messages. */
    private static String email(String marker) {
        return "{\"to\": \"ann@example.com\", \"subject\": \"" + marker + "\", \"text\": \"Hello\"}";
    }

    private static String marker() {
        return "m-" + UUID.randomUUID();
    }

    /** The outbox messages (any sender) whose payload contains the marker. */
    private static List<OutboxMessage> messagesWith(String marker) {
        List<OutboxMessage> found = new ArrayList<>();
        for (int offset = 0; ; offset += 100) {
            List<OutboxMessage> page = hub.outbox().list(null, null, null, 100, offset).items();
            page.stream().filter(m -> m.payload().contains(marker)).forEach(found::add);
            if (page.size() < 100) {
                return found;
            }
        }
    }

    private static HttpResponse<String> post(String path, String authorization, String idempotencyKey, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(hub.uri(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (idempotencyKey != null) {
            request.header(Idempotency.HEADER, idempotencyKey);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("no response from " + path + ": " + e, e);
        }
    }

    /** The same request {@code times} times at once (released together by a barrier). */
    private static List<HttpResponse<String>> concurrently(int times, String path, String authorization,
                                                           String idempotencyKey, String json) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(times);
        try {
            CyclicBarrier start = new CyclicBarrier(times);
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < times; i++) {
                futures.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return post(path, authorization, idempotencyKey, json);
                }));
            }
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) {
                responses.add(f.get(60, TimeUnit.SECONDS));
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String createSenderKey(String name) {
        return hub.createKey(name, "sender").get("key").asText();
    }

    private static void assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(Problems.CONTENT_TYPE);
        JsonNode problem = Json.parse(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asText()).isNotBlank();
    }

    @Test
    void twentyConcurrentRetriesMakeOneMessageAndOneAnswer() throws Exception {
        // a few rounds, each with its own key: one lucky interleaving proves little
        for (int round = 0; round < 3; round++) {
            String marker = marker();
            String key = "order-" + marker;
            List<HttpResponse<String>> responses = concurrently(CONCURRENT, "/api/v1/email", admin(), key, email(marker));

            HttpResponse<String> first = responses.get(0);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
            for (HttpResponse<String> response : responses) {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(first.statusCode());
                assertThat(response.body()).isEqualTo(first.body());
                assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            }
            List<OutboxMessage> stored = messagesWith(marker);
            assertThat(stored).as("round " + round).hasSize(1);
            assertThat(Json.parse(first.body()).get("id").asText()).isEqualTo(stored.get(0).id());
        }
    }

    @Test
    void aRetryLaterGetsTheFirstAnswerEvenAfterTheMessageWasSent() {
        String marker = marker();
        String key = "later-" + marker;
        HttpResponse<String> first = post("/api/v1/email", admin(), key, email(marker));
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        String id = Json.parse(first.body()).get("id").asText();
        hub.awaitStatus(id, OutboxMessage.SENT, Duration.ofSeconds(20));

        // the same JSON, differently spaced, is the same request
        HttpResponse<String> again = post("/api/v1/email", admin(), key,
                "{ \"to\" : \"ann@example.com\" ,\n \"subject\" : \"" + marker + "\" , \"text\" : \"Hello\" }");
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(messagesWith(marker)).hasSize(1);
    }

    @Test
    void sameKeyWithAnotherBodyIsRefusedAndStoresNothing() {
        String marker = marker();
        String key = "reuse-" + marker;
        assertThat(post("/api/v1/email", admin(), key, email(marker)).statusCode()).isEqualTo(202);

        String other = marker();
        HttpResponse<String> reused = post("/api/v1/email", admin(), key, email(other));
        assertProblem(reused, 422);
        assertThat(Json.parse(reused.body()).path("detail").asText()).contains("Idempotency-Key");
        assertThat(messagesWith(other)).isEmpty();
        assertThat(messagesWith(marker)).hasSize(1);

        // the key of a single email cannot be replayed on the batch endpoint either
        HttpResponse<String> onBatch = post("/api/v1/email/batch", admin(), key,
                "{\"messages\": [" + email(marker) + "]}");
        assertProblem(onBatch, 422);
        assertThat(messagesWith(marker)).hasSize(1);
    }

    @Test
    void aDifferentKeyOrNoKeyMakesANewMessage() {
        String marker = marker();
        HttpResponse<String> one = post("/api/v1/email", admin(), "first-" + marker, email(marker));
        HttpResponse<String> two = post("/api/v1/email", admin(), "second-" + marker, email(marker));
        HttpResponse<String> three = post("/api/v1/email", admin(), null, email(marker));
        HttpResponse<String> four = post("/api/v1/email", admin(), null, email(marker));
        for (HttpResponse<String> r : List.of(one, two, three, four)) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        }
        assertThat(List.of(one, two, three, four)).extracting(r -> Json.parse(r.body()).get("id").asText())
                .doesNotHaveDuplicates();
        assertThat(messagesWith(marker)).hasSize(4);
    }

    @Test
    void aRefusedRequestDoesNotUseUpItsKey() {
        String marker = marker();
        String key = "fix-" + marker;
        HttpResponse<String> invalid = post("/api/v1/email", admin(), key,
                "{\"to\": \"not an address\", \"subject\": \"" + marker + "\", \"text\": \"Hello\"}");
        assertProblem(invalid, 422);
        HttpResponse<String> fixed = post("/api/v1/email", admin(), key, email(marker));
        assertThat(fixed.statusCode()).as(fixed.body()).isEqualTo(202);
        assertThat(messagesWith(marker)).hasSize(1);
    }

    @Test
    void keysAreScopedByTheApiKeyName() {
        String marker = marker();
        String key = "shared-" + marker;
        String app = createSenderKey("app-" + marker.substring(2, 10));
        String other = createSenderKey("other-" + marker.substring(2, 10));

        HttpResponse<String> byAdmin = post("/api/v1/email", admin(), key, email(marker));
        HttpResponse<String> byApp = post("/api/v1/email", "Bearer " + app, key, email(marker));
        HttpResponse<String> byOther = post("/api/v1/email", "Bearer " + other, key, email(marker));
        for (HttpResponse<String> r : List.of(byAdmin, byApp, byOther)) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        }
        assertThat(List.of(byAdmin, byApp, byOther)).extracting(r -> Json.parse(r.body()).get("id").asText())
                .doesNotHaveDuplicates();
        assertThat(messagesWith(marker)).hasSize(3);

        // within one name, the key replays; with another body it is refused, whatever the other names did
        assertThat(post("/api/v1/email", "Bearer " + app, key, email(marker)).body()).isEqualTo(byApp.body());
        assertProblem(post("/api/v1/email", "Bearer " + app, key, email(marker())), 422);

        // a rotated key keeps its name, and so its idempotency keys
        String appId = app.substring(3, 19);
        HttpResponse<String> rotated = hub.request("POST", "/api/v1/keys/" + appId + "/rotate?graceSeconds=60", admin(), null);
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(201);
        String newApp = Json.parse(rotated.body()).get("key").asText();
        HttpResponse<String> byNewApp = post("/api/v1/email", "Bearer " + newApp, key, email(marker));
        assertThat(byNewApp.statusCode()).isEqualTo(202);
        assertThat(byNewApp.body()).isEqualTo(byApp.body());
        assertThat(messagesWith(marker)).hasSize(3);
    }

    @Test
    void theBatchEndpointIsIdempotentToo() throws Exception {
        String marker = marker();
        String key = "batch-" + marker;
        // two valid messages and one refused: the answer lists all three, and is replayed as it was
        String batch = "{\"messages\": [" + email(marker) + ", " + email(marker)
                + ", {\"to\": 5, \"subject\": \"" + marker + "\", \"text\": \"x\"}]}";

        List<HttpResponse<String>> responses = concurrently(10, "/api/v1/email/batch", admin(), key, batch);
        HttpResponse<String> first = responses.get(0);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        for (HttpResponse<String> response : responses) {
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(response.body()).isEqualTo(first.body());
        }
        JsonNode body = Json.parse(first.body());
        assertThat(body.get("accepted").asInt()).isEqualTo(2);
        assertThat(body.get("rejected").asInt()).isEqualTo(1);
        List<OutboxMessage> stored = messagesWith(marker);
        assertThat(stored).hasSize(2);
        assertThat(stored).extracting(OutboxMessage::id).containsExactlyInAnyOrder(
                body.get("results").get(0).get("id").asText(), body.get("results").get(1).get("id").asText());

        HttpResponse<String> later = post("/api/v1/email/batch", admin(), key, batch);
        assertThat(later.body()).isEqualTo(first.body());

        String other = marker();
        HttpResponse<String> reused = post("/api/v1/email/batch", admin(), key, "{\"messages\": [" + email(other) + "]}");
        assertProblem(reused, 422);
        assertThat(messagesWith(other)).isEmpty();
        assertThat(messagesWith(marker)).hasSize(2);
    }
}
