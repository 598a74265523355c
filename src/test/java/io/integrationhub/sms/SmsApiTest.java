package io.integrationhub.sms;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.api.Problems;
import io.integrationhub.channel.ChannelRoutes;
import io.integrationhub.delivery.DeliveryResult;
import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SMS through the real hub with the embedded console provider: {@code POST /api/v1/sms} and its batch, the message
 * as the messages API shows it (number in E.164, encoding and segments), plain-text templates, the in-JVM entries
 * {@code direct:enqueue-sms} and {@code direct:send-sms}, and the console provider's log line with the number masked.
 */
class SmsApiTest {

    /** A valid US mobile number (libphonenumber), in E.164, as the console provider must mask it, and nationally. */
    static final String NUMBER = "+14155552671";
    static final String MASKED = "+1******2671";
    static final String NATIONAL = "(415) 555-2671";
    static final Duration SETTLE = Duration.ofSeconds(20);

    @TempDir
    static Path data;

    static TestHub hub;
    static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

    @BeforeAll
    static void start() {
        // every logger: the console provider's line must mask the number, and no other line may carry it
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        LOGS.start();
        root.addAppender(LOGS);
        hub = TestHub.start(data, Map.of("sms.provider", "console", "sms.default-region", "US"));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
        LOGS.stop();
    }

    @Test
    void anSmsIsAcceptedThenSentAndListedUnderItsChannel() {
        HttpResponse<String> response = hub.post("/api/v1/sms", "{\"to\": \"" + NUMBER + "\", \"body\": \"Hello from the hub\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode accepted = Json.parse(response.body());
        assertThat(fieldNames(accepted)).containsExactly("id", "status", "statusUrl");
        String id = accepted.get("id").asText();
        assertThat(id).matches("msg_[0-9a-f]{32}");
        assertThat(accepted.get("status").asText()).isEqualTo("queued");
        assertThat(accepted.get("statusUrl").asText()).isEqualTo("/api/v1/messages/" + id);

        hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        JsonNode message = view(accepted.get("statusUrl").asText());
        assertThat(message.get("channel").asText()).isEqualTo("sms");
        assertThat(message.get("status").asText()).isEqualTo("sent");
        assertThat(message.get("attempts").asInt()).isEqualTo(1);
        assertThat(message.get("provider").asText()).isEqualTo("sms-console");
        assertThat(message.get("providerMessageId").asText()).startsWith("console-");
        JsonNode content = message.get("content");
        assertThat(content.get("to").asText()).isEqualTo(NUMBER);
        assertThat(content.get("body").asText()).isEqualTo("Hello from the hub");
        assertThat(content.get("encoding").asText()).isEqualTo("GSM-7");
        assertThat(content.get("segments").asInt()).isEqualTo(1);

        JsonNode smsList = Json.parse(hub.get("/api/v1/messages?channel=sms&limit=100").body()).get("items");
        assertThat(ids(smsList)).contains(id);
        smsList.forEach(item -> assertThat(item.get("channel").asText()).isEqualTo("sms"));
        JsonNode listed = find(smsList, id);
        assertThat(listed.get("status").asText()).isEqualTo("sent");
        assertThat(ids(Json.parse(hub.get("/api/v1/messages?channel=email&limit=100").body()).get("items")))
                .doesNotContain(id);
    }

    @Test
    void aNationalNumberIsReadInTheDefaultRegionAndStoredInE164() {
        String id = accept("{\"to\": \"" + NATIONAL + "\", \"body\": \"national\"}");
        assertThat(view("/api/v1/messages/" + id).get("content").get("to").asText()).isEqualTo(NUMBER);
        hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
    }

    static Stream<Arguments> bodies() {
        return Stream.of(
                Arguments.of("160 GSM characters", "a".repeat(160), "GSM-7", 1),
                Arguments.of("161 GSM characters", "a".repeat(161), "GSM-7", 2),
                Arguments.of("159 GSM characters and a euro sign (two septets)", "a".repeat(159) + "€", "GSM-7", 2),
                Arguments.of("one c-cedilla makes the message UCS-2", "Ça va? ç", "UCS-2", 1),
                Arguments.of("71 UCS-2 characters", "ç".repeat(71), "UCS-2", 2));
    }

    @ParameterizedTest(name = "{0}: {2}, {3} segment(s)")
    @MethodSource("bodies")
    void theContentShowsTheEncodingAndTheSegments(String name, String body, String encoding, int segments) {
        String id = accept(Json.MAPPER.createObjectNode().put("to", NUMBER).put("body", body).toString());
        JsonNode content = view("/api/v1/messages/" + id).get("content");
        assertThat(content.get("body").asText()).isEqualTo(body);
        assertThat(content.get("encoding").asText()).isEqualTo(encoding);
        assertThat(content.get("segments").asInt()).isEqualTo(segments);
        hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
    }

    @Test
    void aTemplateRendersAsPlainTextWithoutHtmlEscaping() {
        String id = accept("""
                {"to": "%s", "template": "verification-code", "data": {"app": "<Tom & Jerry's>", "code": "12<34>&'"}}"""
                .formatted(NUMBER));
        JsonNode content = view("/api/v1/messages/" + id).get("content");
        assertThat(content.get("body").asText())
                .isEqualTo("Your <Tom & Jerry's> code is 12<34>&'. It expires in 10 minutes.");
        assertThat(content.get("encoding").asText()).isEqualTo("GSM-7");
        hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
    }

    @Test
    void aBatchAcceptsTheValidMessagesAndNamesTheInvalidOnes() {
        HttpResponse<String> response = hub.post("/api/v1/sms/batch", """
                {"messages": [
                  {"to": "+447911123456", "body": "first"},
                  {"to": "not a number", "body": "second"},
                  {"to": "+4915123456789", "body": "third"}]}""");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode batch = Json.parse(response.body());
        assertThat(batch.get("accepted").asInt()).isEqualTo(2);
        assertThat(batch.get("rejected").asInt()).isEqualTo(1);
        JsonNode results = batch.get("results");
        assertThat(results).hasSize(3);
        assertThat(results.get(1).get("index").asInt()).isEqualTo(1);
        assertThat(results.get(1).get("status").asText()).isEqualTo("rejected");
        assertThat(results.get(1).get("errors").findValuesAsText("field")).containsExactly("messages[1].to");
        assertThat(results.get(1).has("id")).isFalse();
        for (int i : new int[] {0, 2}) {
            JsonNode result = results.get(i);
            assertThat(result.get("index").asInt()).isEqualTo(i);
            assertThat(result.get("status").asText()).isEqualTo("queued");
            String id = result.get("id").asText();
            assertThat(result.get("statusUrl").asText()).isEqualTo("/api/v1/messages/" + id);
            hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        }
        assertThat(view("/api/v1/messages/" + results.get(0).get("id").asText()).get("content").get("to").asText())
                .isEqualTo("+447911123456");
        assertThat(view("/api/v1/messages/" + results.get(2).get("id").asText()).get("content").get("to").asText())
                .isEqualTo("+4915123456789");
    }

    @Test
    void aBatchWithNoValidMessageIs422AndStoresNothing() throws Exception {
        long before = storedMessages();
        HttpResponse<String> response = hub.post("/api/v1/sms/batch", """
                {"messages": [{"to": "12", "body": "x"}, {"to": "+33612345678"}]}""");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(Problems.CONTENT_TYPE);
        JsonNode problem = Json.parse(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(422);
        assertThat(problem.get("errors").findValuesAsText("field")).containsExactly("messages[0].to", "messages[1].body");
        assertThat(problem.get("results")).hasSize(2);
        assertThat(problem.get("results").get(0).get("status").asText()).isEqualTo("rejected");
        assertThat(storedMessages()).isEqualTo(before);
    }

    @Test
    void aBatchOf101MessagesIs422AndStoresNothing() throws Exception {
        long before = storedMessages();
        StringBuilder batch = new StringBuilder("{\"messages\": [");
        for (int i = 0; i < 101; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"to\": \"" + NUMBER + "\", \"body\": \"n").append(i).append("\"}");
        }
        HttpResponse<String> response = hub.post("/api/v1/sms/batch", batch.append("]}").toString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(Problems.CONTENT_TYPE);
        assertThat(Json.parse(response.body()).get("errors").findValuesAsText("field")).containsExactly("messages");
        assertThat(storedMessages()).isEqualTo(before);
    }

    @Test
    @SuppressWarnings("unchecked")
    void enqueueSmsFromJavaAnswersAtOnceAndTheMessageIsThenSent() {
        Map<String, Object> answer = hub.producer().requestBody("direct:enqueue-sms",
                Map.of("to", "+33612345678", "body", "from a route"), Map.class);

        assertThat(answer).containsOnlyKeys("id", "status", "statusUrl");
        String id = (String) answer.get("id");
        assertThat(answer.get("status")).isEqualTo("queued");
        assertThat(answer.get("statusUrl")).isEqualTo("/api/v1/messages/" + id);
        // durable before it answered: the row is there as soon as the call returns
        OutboxMessage stored = hub.outbox().find(id).orElseThrow();
        assertThat(stored.channel()).isEqualTo("sms");
        assertThat(stored.createdBy()).startsWith("route:");

        OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);
        assertThat(sent.provider()).isEqualTo("sms-console");
        assertThat(Json.parse(sent.payload()).get("to").asText()).isEqualTo("+33612345678");
    }

    @Test
    void sendSmsFromJavaReturnsTheConsoleProvidersResultAndStoresNothing() throws Exception {
        long before = storedMessages();
        DeliveryResult result = hub.producer().requestBody("direct:send-sms",
                Map.of("to", "+447911123456", "body", "synchronous"), DeliveryResult.class);

        assertThat(result.provider()).isEqualTo("sms-console");
        assertThat(result.providerMessageId()).startsWith("console-");
        assertThat(result.warning()).isNull();
        assertThat(storedMessages()).isEqualTo(before);
    }

    @Test
    void theConsoleProviderLogsTheNumberMasked() {
        int from = logEvents().size();
        String id = accept("{\"to\": \"" + NUMBER + "\", \"body\": \"masked in the log\"}");
        hub.awaitStatus(id, OutboxMessage.SENT, SETTLE);

        List<String> console = new ArrayList<>();
        List<ILoggingEvent> events = logEvents();
        for (ILoggingEvent event : events.subList(from, events.size())) {
            if (event.getLoggerName().equals(ChannelRoutes.class.getName())
                    && event.getFormattedMessage().contains("console provider")) {
                console.add(event.getFormattedMessage());
            }
        }
        assertThat(console).as("the console provider's lines").anyMatch(line -> line.contains("to=" + MASKED));
        assertThat(console).noneMatch(line -> line.contains(NUMBER));
        // no line of the hub's, from any logger, carries a whole number
        assertThat(logEvents()).extracting(ILoggingEvent::getFormattedMessage)
                .noneMatch(line -> line.contains(NUMBER) || line.contains("+447911123456") || line.contains("+33612345678"));
    }

    // ---------------------------------------------------------------------------------------------------------

    private static String accept(String json) {
        HttpResponse<String> response = hub.post("/api/v1/sms", json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return Json.parse(response.body()).get("id").asText();
    }

    private static JsonNode view(String path) {
        HttpResponse<String> response = hub.get(path);
        assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
        return Json.parse(response.body());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> ids(JsonNode items) {
        List<String> ids = new ArrayList<>();
        items.forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }

    private static JsonNode find(JsonNode items, String id) {
        for (JsonNode item : items) {
            if (item.get("id").asText().equals(id)) {
                return item;
            }
        }
        throw new AssertionError(id + " is not listed");
    }

    /** What was logged so far; the appender adds under its own lock while the hub's threads log. */
    private static List<ILoggingEvent> logEvents() {
        synchronized (LOGS) {
            return new ArrayList<>(LOGS.list);
        }
    }

    private static long storedMessages() throws Exception {
        return hub.store().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM outbox_messages");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
