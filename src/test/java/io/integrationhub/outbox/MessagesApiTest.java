package io.integrationhub.outbox;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.api.Problems;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What became of accepted messages, over HTTP: one message in full, the filtered and paged list, what a sender key
 * may see, and retrying a dead message.
 */
class MessagesApiTest {

    private static final String SENDGRID_SECRET = "SG.fake-sendgrid-key-for-messages-test-0123456789";

    @TempDir
    static Path data;

    private static TestHub hub;

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

    private static String bearer(String key) {
        return "Bearer " + key;
    }

    private static String admin() {
        return bearer(TestHub.ADMIN_KEY);
    }

    private static String createSender(TestHub on, String name) {
        return on.createKey(name, "sender").get("key").asText();
    }

    private static String send(TestHub on, String authorization, String json) {
        HttpResponse<String> accepted = on.request("POST", "/api/v1/email", authorization, json);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode body = Json.parse(accepted.body());
        assertThat(body.get("status").asText()).isEqualTo("queued");
        assertThat(body.get("statusUrl").asText()).isEqualTo("/api/v1/messages/" + body.get("id").asText());
        return body.get("id").asText();
    }

    private static String email(String subject) {
        return "{\"to\": \"ann@example.com\", \"subject\": \"" + subject + "\", \"text\": \"Hello\"}";
    }

    private static JsonNode get(TestHub on, String authorization, String path) {
        HttpResponse<String> response = on.request("GET", path, authorization, null);
        assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        return Json.parse(response.body());
    }

    private static void assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(Problems.CONTENT_TYPE);
        JsonNode problem = Json.parse(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asText()).isNotBlank();
    }

    /**
     * Stops the email claimer, so that no email changes status on this hub until {@link #resumeDispatch}: what an
     * answer says can then be asserted exactly. The poll timer stops first, or its wakes would keep the claimer's
     * graceful stop waiting; a wake sent meanwhile waits in the claimer's queue.
     */
    private static void pauseDispatch(TestHub on) {
        try {
            on.context().getRouteController().stopRoute("outbox-poll");
            on.context().getRouteController().stopRoute("outbox-claim-email");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void resumeDispatch(TestHub on) {
        try {
            on.context().getRouteController().startRoute("outbox-claim-email");
            on.context().getRouteController().startRoute("outbox-poll");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }

    @Test
    void oneMessageShowsItsDeliveryAndItsContent() {
        Instant before = Instant.now();
        String id = send(hub, admin(), """
                {"to": [{"email": "ann@example.com", "name": "Ann"}], "cc": "carol@example.com",
                 "subject": "Your order", "text": "Plain body", "html": "<p>HTML body</p>",
                 "tags": ["orders"], "metadata": {"order": "42"}}""");
        hub.awaitStatus(id, OutboxMessage.SENT, Duration.ofSeconds(20));

        JsonNode message = get(hub, admin(), "/api/v1/messages/" + id);
        assertThat(message.get("id").asText()).isEqualTo(id);
        assertThat(message.get("channel").asText()).isEqualTo("email");
        assertThat(message.get("status").asText()).isEqualTo("sent");
        assertThat(message.get("attempts").asInt()).isEqualTo(1);
        assertThat(message.get("provider").asText()).isEqualTo("email-console");
        assertThat(message.get("providerMessageId").asText()).startsWith("console-");
        assertThat(message.get("lastError").isNull()).isTrue();
        assertThat(message.get("nextAttemptAt").isNull()).isTrue();
        Instant created = Instant.parse(message.get("createdAt").asText());
        Instant updated = Instant.parse(message.get("updatedAt").asText());
        Instant sent = Instant.parse(message.get("sentAt").asText());
        assertThat(created).isBetween(before.minusSeconds(1), Instant.now());
        assertThat(updated).isAfterOrEqualTo(created);
        assertThat(sent).isAfterOrEqualTo(created).isBeforeOrEqualTo(Instant.now());

        JsonNode content = message.get("content");
        assertThat(content.get("subject").asText()).isEqualTo("Your order");
        assertThat(content.get("text").asText()).isEqualTo("Plain body");
        assertThat(content.get("html").asText()).isEqualTo("<p>HTML body</p>");
        assertThat(content.get("to").get(0).get("address").asText()).isEqualTo("ann@example.com");
        assertThat(content.get("to").get(0).get("name").asText()).isEqualTo("Ann");
        assertThat(content.get("cc").get(0).get("address").asText()).isEqualTo("carol@example.com");
        assertThat(content.get("from").get("address").asText()).isEqualTo("hub@example.com");
        assertThat(content.get("tags").get(0).asText()).isEqualTo("orders");
        assertThat(content.get("metadata").get("order").asText()).isEqualTo("42");

        // the list shows the delivery but not the content
        JsonNode listed = get(hub, admin(), "/api/v1/messages?limit=100").get("items");
        JsonNode item = null;
        for (JsonNode i : listed) {
            if (i.get("id").asText().equals(id)) {
                item = i;
            }
        }
        assertThat(item).isNotNull();
        assertThat(item.get("status").asText()).isEqualTo("sent");
        assertThat(item.has("content")).isFalse();
    }

    @Test
    void aTemplateMessageIsStoredAsRendered() {
        String id = send(hub, admin(), "{\"to\": \"erin@example.com\", \"template\": \"welcome\", \"data\": {\"name\": \"Erin\"}}");
        JsonNode content = get(hub, admin(), "/api/v1/messages/" + id).get("content");
        assertThat(content.get("subject").asText()).isEqualTo("Welcome to Acme, Erin!");
        assertThat(content.get("text").asText()).contains("Hi Erin,");
        assertThat(content.get("html").asText()).contains("<p>Hi Erin,</p>");
    }

    @Test
    void theListPagesNewestFirstAndFiltersByStatusAndChannel() {
        String pager = createSender(hub, "pager");
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            sent.add(send(hub, bearer(pager), email("page " + i)));
        }
        for (String id : sent) {
            hub.awaitStatus(id, OutboxMessage.SENT, Duration.ofSeconds(20));
        }
        List<String> newestFirst = new ArrayList<>(sent);
        java.util.Collections.reverse(newestFirst);

        JsonNode first = get(hub, bearer(pager), "/api/v1/messages?limit=3");
        assertThat(first.get("limit").asInt()).isEqualTo(3);
        assertThat(first.get("offset").asInt()).isZero();
        assertThat(first.get("nextOffset").asInt()).isEqualTo(3);
        JsonNode second = get(hub, bearer(pager), "/api/v1/messages?limit=3&offset=3");
        assertThat(second.get("nextOffset").asInt()).isEqualTo(6);
        JsonNode third = get(hub, bearer(pager), "/api/v1/messages?limit=3&offset=6");
        assertThat(third.get("nextOffset").isNull()).isTrue();
        List<String> paged = new ArrayList<>();
        paged.addAll(ids(first));
        paged.addAll(ids(second));
        paged.addAll(ids(third));
        assertThat(ids(first)).hasSize(3);
        assertThat(ids(second)).hasSize(3);
        assertThat(ids(third)).hasSize(1);
        assertThat(paged).containsExactlyElementsOf(newestFirst);

        // the default page holds them all
        JsonNode all = get(hub, bearer(pager), "/api/v1/messages");
        assertThat(all.get("limit").asInt()).isEqualTo(50);
        assertThat(ids(all)).containsExactlyElementsOf(newestFirst);
        assertThat(all.get("nextOffset").isNull()).isTrue();

        assertThat(ids(get(hub, bearer(pager), "/api/v1/messages?status=sent&channel=email")))
                .containsExactlyElementsOf(newestFirst);
        assertThat(ids(get(hub, bearer(pager), "/api/v1/messages?status=queued"))).isEmpty();
        assertThat(ids(get(hub, bearer(pager), "/api/v1/messages?status=dead"))).isEmpty();
        assertThat(ids(get(hub, bearer(pager), "/api/v1/messages?channel=sms"))).isEmpty();
        assertThat(ids(get(hub, bearer(pager), "/api/v1/messages?offset=7"))).isEmpty();
    }

    @Test
    void aSenderKeySeesOnlyItsOwnMessages() {
        String alice = createSender(hub, "alice");
        String bob = createSender(hub, "bob");
        String aliceMessage = send(hub, bearer(alice), email("from alice"));
        String bobMessage = send(hub, bearer(bob), email("from bob"));
        String adminMessage = send(hub, admin(), email("from admin"));

        assertThat(get(hub, bearer(alice), "/api/v1/messages/" + aliceMessage).get("id").asText()).isEqualTo(aliceMessage);
        assertProblem(hub.request("GET", "/api/v1/messages/" + bobMessage, bearer(alice), null), 404);
        assertProblem(hub.request("GET", "/api/v1/messages/" + adminMessage, bearer(alice), null), 404);
        assertProblem(hub.request("POST", "/api/v1/messages/" + bobMessage + "/retry", bearer(alice), null), 404);
        // a message of someone else answers exactly like one that does not exist
        String unknown = "msg_" + "0".repeat(32);
        String notFound = hub.request("GET", "/api/v1/messages/" + unknown, bearer(alice), null).body();
        assertThat(hub.request("GET", "/api/v1/messages/" + bobMessage, bearer(alice), null).body())
                .isEqualTo(notFound.replace(unknown, bobMessage));

        assertThat(ids(get(hub, bearer(alice), "/api/v1/messages?limit=100"))).containsExactly(aliceMessage);
        assertThat(ids(get(hub, bearer(bob), "/api/v1/messages?limit=100"))).containsExactly(bobMessage);
        // an admin key sees everyone's
        assertThat(ids(get(hub, admin(), "/api/v1/messages?limit=100"))).contains(aliceMessage, bobMessage, adminMessage);
        assertThat(get(hub, admin(), "/api/v1/messages/" + bobMessage).get("id").asText()).isEqualTo(bobMessage);
    }

    /**
     * The server copies query and path parameters into the same namespace as the request's HTTP headers: a header
     * named like a parameter must never stand in for it.
     */
    @Test
    void headersNeverStandInForQueryOrPathParameters() {
        String owner = createSender(hub, "header-games");
        String sentId = send(hub, bearer(owner), email("stays sent"));
        String deadId = send(hub, bearer(owner), email("will be dead"));
        hub.awaitStatus(sentId, OutboxMessage.SENT, Duration.ofSeconds(20));
        hub.awaitStatus(deadId, OutboxMessage.SENT, Duration.ofSeconds(20));
        hub.store().inTransaction(c -> {
            try (var ps = c.prepareStatement("UPDATE outbox_messages SET status = 'dead' WHERE id = ?")) {
                ps.setString(1, deadId);
                return ps.executeUpdate();
            }
        });

        // the list: what the query says, whatever the headers say
        assertThat(ids(listWith(owner, "/api/v1/messages?status=sent", "status", "dead"))).containsExactly(sentId);
        assertThat(ids(listWith(owner, "/api/v1/messages?status=dead", "status", "sent"))).containsExactly(deadId);
        assertThat(ids(listWith(owner, "/api/v1/messages", "status", "dead"))).containsExactlyInAnyOrder(sentId, deadId);
        assertThat(ids(listWith(owner, "/api/v1/messages", "channel", "sms"))).hasSize(2);
        assertThat(ids(listWith(owner, "/api/v1/messages?limit=1", "limit", "100"))).hasSize(1);
        assertThat(ids(listWith(owner, "/api/v1/messages", "offset", "5"))).hasSize(2);
        // not even the server's own name for the query string
        assertThat(ids(listWith(owner, "/api/v1/messages?status=sent", "CamelHttpQuery", "status=dead"))).containsExactly(sentId);
        assertThat(ids(listWith(owner, "/api/v1/messages", "CamelHttpQuery", "status=dead"))).hasSize(2);
        // a header alone is not a parameter: invalid values in headers are not even read
        assertThat(hub.request("GET", "/api/v1/messages", bearer(owner), null, "status", "nonsense", "limit", "x")
                .statusCode()).isEqualTo(200);
        // a parameter given twice is refused, naming it
        HttpResponse<String> twice = hub.request("GET", "/api/v1/messages?status=sent&status=dead", bearer(owner), null);
        assertProblem(twice, 400);
        assertThat(Json.parse(twice.body()).get("errors").findValuesAsText("field")).containsExactly("status");

        // one message: the one the path names
        for (String header : List.of(deadId, "nonsense", "")) {
            HttpResponse<String> one = hub.request("GET", "/api/v1/messages/" + sentId, bearer(owner), null, "id", header);
            assertThat(one.statusCode()).as(header + ": " + one.body()).isEqualTo(200);
            assertThat(Json.parse(one.body()).get("id").asText()).isEqualTo(sentId);
            one = hub.request("GET", "/api/v1/messages/" + sentId, bearer(owner), null, "CamelHttpPath", "/api/v1/messages/" + deadId);
            assertThat(Json.parse(one.body()).get("id").asText()).isEqualTo(sentId);
        }
        // retry: the path's message, not the header's
        HttpResponse<String> notDead = hub.request("POST", "/api/v1/messages/" + sentId + "/retry", bearer(owner), null, "id", deadId);
        assertProblem(notDead, 409);
        assertThat(get(hub, bearer(owner), "/api/v1/messages/" + deadId).get("status").asText()).isEqualTo("dead");
        HttpResponse<String> retried = hub.request("POST", "/api/v1/messages/" + deadId + "/retry", bearer(owner), null, "id", sentId);
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
        assertThat(Json.parse(retried.body()).get("id").asText()).isEqualTo(deadId);
        hub.awaitStatus(deadId, OutboxMessage.SENT, Duration.ofSeconds(20));
    }

    /** The other way round: a query parameter named like a header the API reads is never that header. */
    @Test
    void queryParametersNeverStandInForHeaders() {
        String owner = createSender(hub, "query-games");
        // an idempotency key belongs in its header: in the query it would silently make nothing idempotent
        HttpResponse<String> keyed = hub.request("POST", "/api/v1/email?Idempotency-Key=order-1", bearer(owner), email("one"));
        assertProblem(keyed, 400);
        assertThat(Json.parse(keyed.body()).get("errors").findValuesAsText("field")).containsExactly("Idempotency-Key");
        assertProblem(hub.request("POST", "/api/v1/email/batch?idempotency-key=order-1", bearer(owner),
                "{\"messages\": [" + email("one") + "]}"), 400);
        // nor does a query parameter stand in for the body's content type
        HttpResponse<String> typed = hub.send(java.net.http.HttpRequest.newBuilder(hub.uri("/api/v1/email?Content-Type=application/json"))
                .header("Authorization", bearer(owner)).header("Content-Type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(email("typed"))).build());
        assertProblem(typed, 415);
        HttpResponse<String> retyped = hub.request("POST", "/api/v1/email?content-type=text/plain", bearer(owner), email("retyped"));
        assertProblem(retyped, 400);
        assertThat(Json.parse(retyped.body()).get("errors").findValuesAsText("field")).containsExactly("Content-Type");
        assertThat(ids(get(hub, bearer(owner), "/api/v1/messages"))).isEmpty();
        // the header itself works
        String first = send(hub, bearer(owner), email("keyed"));
        assertThat(first).isNotEmpty();
        HttpResponse<String> once = hub.request("POST", "/api/v1/email", bearer(owner), email("keyed"), "Idempotency-Key", "order-2");
        HttpResponse<String> twice = hub.request("POST", "/api/v1/email", bearer(owner), email("keyed"), "Idempotency-Key", "order-2");
        assertThat(once.statusCode()).as(once.body()).isEqualTo(202);
        assertThat(Json.parse(twice.body()).get("id").asText()).isEqualTo(Json.parse(once.body()).get("id").asText());
    }

    private static JsonNode listWith(String key, String path, String header, String value) {
        HttpResponse<String> response = hub.request("GET", path, bearer(key), null, header, value);
        assertThat(response.statusCode()).as(path + " with " + header + ": " + value + " " + response.body()).isEqualTo(200);
        return Json.parse(response.body());
    }

    @Test
    void retryingAMessageThatIsNotDeadIsAConflict() {
        String id = send(hub, admin(), email("not dead"));
        hub.awaitStatus(id, OutboxMessage.SENT, Duration.ofSeconds(20));
        HttpResponse<String> retry = hub.request("POST", "/api/v1/messages/" + id + "/retry", admin(), null);
        assertProblem(retry, 409);
        assertThat(Json.parse(retry.body()).get("detail").asText()).contains("sent");
        // nothing changed
        JsonNode message = get(hub, admin(), "/api/v1/messages/" + id);
        assertThat(message.get("status").asText()).isEqualTo("sent");
        assertThat(message.get("attempts").asInt()).isEqualTo(1);
    }

    /** A transient failure is retried once per wait of the retry schedule, then the message is dead. */
    @Test
    void aMessageIsDeadAfterItsRedeliveriesAndShowsWhy(@TempDir Path ownData) {
        try (TestHub failing = TestHub.start(ownData, Map.of("email.provider", "sendgrid",
                "sendgrid.base-url", "http://localhost:" + TestHub.freePort(), "sendgrid.api-key", SENDGRID_SECRET,
                "delivery.retry-schedule", "50ms, 50ms, 50ms",
                // keep the breaker closed: this is about the redeliveries
                "breaker.minimum-number-of-calls", "100"))) {
            String id = send(failing, admin(), email("retried three times"));
            failing.awaitStatus(id, OutboxMessage.DEAD, Duration.ofSeconds(20));
            JsonNode dead = get(failing, admin(), "/api/v1/messages/" + id);
            assertThat(dead.get("status").asText()).isEqualTo("dead");
            // the first attempt and three redeliveries
            assertThat(dead.get("attempts").asInt()).isEqualTo(4);
            assertThat(dead.get("lastError").asText()).isNotBlank().doesNotContain(SENDGRID_SECRET);
            assertThat(dead.get("sentAt").isNull()).isTrue();
            assertThat(dead.get("nextAttemptAt").isNull()).isTrue();
        }
    }

    /**
     * A message dies for real (SendGrid behind a closed port, no redeliveries), is retried in vain, then is retried
     * after the hub restarts with a working provider, and is sent.
     */
    @Test
    void aDeadMessageIsRetriedAndSentOnceTheProviderWorks(@TempDir Path ownData) {
        String id;
        String sender;
        int closedPort = TestHub.freePort();
        try (TestHub failing = TestHub.start(ownData, Map.of("email.provider", "sendgrid",
                "sendgrid.base-url", "http://localhost:" + closedPort, "sendgrid.api-key", SENDGRID_SECRET,
                "delivery.retry-schedule", "none"))) {
            sender = createSender(failing, "retrier");
            id = send(failing, bearer(sender), email("will die"));
            failing.awaitStatus(id, OutboxMessage.DEAD, Duration.ofSeconds(20));

            JsonNode dead = get(failing, bearer(sender), "/api/v1/messages/" + id);
            assertThat(dead.get("status").asText()).isEqualTo("dead");
            assertThat(dead.get("attempts").asInt()).isEqualTo(1);
            assertThat(dead.get("sentAt").isNull()).isTrue();
            assertThat(dead.get("lastError").asText()).isNotBlank().doesNotContain(SENDGRID_SECRET);
            assertThat(ids(get(failing, bearer(sender), "/api/v1/messages?status=dead"))).containsExactly(id);

            // retried while the provider still fails: queued again (the dispatcher paused, so the answer and the
            // stored message show the retry itself), then tried again, dead again
            pauseDispatch(failing);
            HttpResponse<String> retry = failing.request("POST", "/api/v1/messages/" + id + "/retry", bearer(sender), null);
            assertThat(retry.statusCode()).as(retry.body()).isEqualTo(202);
            JsonNode requeued = Json.parse(retry.body());
            assertThat(requeued.get("id").asText()).isEqualTo(id);
            assertThat(requeued.get("status").asText()).isEqualTo("queued");
            // a retried message starts its retry schedule anew: its attempts count from zero again
            assertThat(requeued.get("attempts").asInt()).isZero();
            assertThat(get(failing, bearer(sender), "/api/v1/messages/" + id).get("status").asText()).isEqualTo("queued");
            assertThat(ids(get(failing, bearer(sender), "/api/v1/messages?status=dead"))).isEmpty();
            resumeDispatch(failing);
            OutboxMessage again = failing.awaitStatus(id, OutboxMessage.DEAD, Duration.ofSeconds(20));
            assertThat(again.attempts()).isEqualTo(1);
            assertThat(again.updatedAt()).isAfter(Instant.parse(requeued.get("updatedAt").asText()));
        }
        try (TestHub working = TestHub.start(ownData, Map.of())) {
            assertThat(get(working, bearer(sender), "/api/v1/messages/" + id).get("status").asText()).isEqualTo("dead");
            pauseDispatch(working);
            HttpResponse<String> retry = working.request("POST", "/api/v1/messages/" + id + "/retry", bearer(sender), null);
            assertThat(retry.statusCode()).as(retry.body()).isEqualTo(202);
            assertThat(retry.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode queued = Json.parse(retry.body());
            assertThat(queued.get("id").asText()).isEqualTo(id);
            assertThat(queued.get("status").asText()).isEqualTo("queued");
            assertThat(queued.get("attempts").asInt()).isZero();
            assertThat(queued.get("sentAt").isNull()).isTrue();
            resumeDispatch(working);

            working.awaitStatus(id, OutboxMessage.SENT, Duration.ofSeconds(20));
            JsonNode sent = get(working, bearer(sender), "/api/v1/messages/" + id);
            assertThat(sent.get("status").asText()).isEqualTo("sent");
            assertThat(sent.get("attempts").asInt()).isEqualTo(1);
            assertThat(sent.get("provider").asText()).isEqualTo("email-console");
            assertThat(sent.get("providerMessageId").asText()).startsWith("console-");
            assertThat(sent.get("sentAt").isNull()).isFalse();
            assertThat(ids(get(working, bearer(sender), "/api/v1/messages?status=dead"))).isEmpty();

            // sent now, so a second retry is a conflict
            assertProblem(working.request("POST", "/api/v1/messages/" + id + "/retry", bearer(sender), null), 409);
        }
    }
}
