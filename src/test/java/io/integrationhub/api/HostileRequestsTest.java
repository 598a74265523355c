package io.integrationhub.api;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A table of hostile requests against the real hub: each one gets the 4xx it deserves as problem+json (never a
 * 5xx), validation errors name the offending field, and after the whole table nothing was stored or sent and no
 * response or log line carries the admin key or a configured provider secret.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileRequestsTest {

    /** Provider secrets configured although the provider is console: they must never show up anywhere. */
    private static final String SENDGRID_SECRET = "SG.fake-sendgrid-secret-0123456789abcdefABCDEF";
    private static final String RESEND_SECRET = "re_fake_resend_secret_0123456789abcdef";
    private static final String SMTP_SECRET = "fake-smtp-password-0123456789";
    private static final String TWILIO_SECRET = "fake-twilio-auth-token-0123456789abcdef";
    /** The default hub.api.max-body-bytes. */
    private static final int MAX_BODY = 1_048_576;

    @TempDir
    static Path data;

    private static TestHub hub;
    private static String senderKey;
    private static String revokedKey;
    private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
    private static final Map<String, Level> SAVED_LEVELS = new LinkedHashMap<>();
    private static final List<String> RESPONSES = new ArrayList<>();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startHub() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        LOGS.start();
        root.addAppender(LOGS);
        // log as much as production does (and the hub's own code in full) while the table runs
        logMore("io.integrationhub", Level.DEBUG);
        logMore("org.apache.camel", Level.INFO);
        logMore("io.vertx", Level.INFO);

        hub = TestHub.start(data, Map.of(
                "sendgrid.api-key", SENDGRID_SECRET,
                "resend.api-key", RESEND_SECRET,
                "smtp.password", SMTP_SECRET,
                "twilio.account-sid", "AC" + "0".repeat(32),
                "twilio.auth-token", TWILIO_SECRET));
        senderKey = createKey("hostile-sender").get("key").asText();
        JsonNode revoked = createKey("hostile-revoked");
        assertThat(hub.request("DELETE", "/api/v1/keys/" + revoked.get("id").asText(), admin(), null).statusCode())
                .isEqualTo(204);
        revokedKey = revoked.get("key").asText();
    }

    @AfterAll
    static void stopHub() {
        if (hub != null) {
            hub.close();
        }
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(LOGS);
        LOGS.stop();
        SAVED_LEVELS.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
    }

    private static void logMore(String name, Level level) {
        Logger logger = (Logger) LoggerFactory.getLogger(name);
        SAVED_LEVELS.put(name, logger.getLevel());
        logger.setLevel(level);
    }

    private static JsonNode createKey(String name) {
        return hub.createKey(name, "sender");
    }

    private static String admin() {
        return TestHub.ADMIN;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The table

    /**
     * How a row is sent: by java.net.http with a Content-Length or chunked, or written byte for byte to a socket
     * (header values as ISO-8859-1 bytes, which java.net.http would turn into '?').
     */
    enum Transfer { FIXED, CHUNKED, RAW }

    /**
     * One hostile request. {@code authorization} may hold {@code {admin}}, {@code {sender}} or {@code {revoked}};
     * {@code field} is the field the problem must name (required for 400 and 422).
     */
    record Hostile(String name, String method, String path, String authorization, Map<String, String> headers,
                   byte[] body, Transfer transfer, int status, String field) {

        Hostile {
            if ((status == 400 || status == 422) && field == null) {
                throw new IllegalArgumentException(name + ": a validation error must name its field");
            }
        }

        @Override
        public String toString() {
            return name + " -> " + status;
        }
    }

    private static final String VALID = "\"to\": \"ann@example.com\", \"subject\": \"Hi\", \"text\": \"Hello\"";
    private static final String JSON = "application/json";

    private static Hostile email(String name, String json, int status, String field) {
        return new Hostile(name, "POST", "/api/v1/email", "{admin}", Map.of("Content-Type", JSON),
                bytes(json), Transfer.FIXED, status, field);
    }

    private static Hostile request(String name, String method, String path, String authorization,
                                   Map<String, String> headers, String body, int status, String field) {
        return new Hostile(name, method, path, authorization, headers, body == null ? null : bytes(body),
                Transfer.FIXED, status, field);
    }

    private static Hostile get(String name, String path, String authorization, int status, String field) {
        return request(name, "GET", path, authorization, Map.of(), null, status, field);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Hostile> table() {
        List<Hostile> rows = new ArrayList<>();

        // --- not JSON, or not a JSON object
        rows.add(email("malformed JSON", "{\"to\": \"ann@example.com\", \"subject\": ", 400, "body"));
        rows.add(email("JSON array instead of object", "[" + "{" + VALID + "}" + "]", 400, "body"));
        rows.add(email("JSON string instead of object", "\"ann@example.com\"", 400, "body"));
        rows.add(email("JSON number instead of object", "42", 400, "body"));
        rows.add(email("JSON null instead of object", "null", 400, "body"));
        rows.add(email("trailing garbage after JSON", "{" + VALID + "} {\"to\": \"eve@example.com\"}", 400, "body"));
        rows.add(email("trailing garbage (not JSON) after JSON", "{" + VALID + "}xyz", 400, "body"));
        rows.add(email("duplicate keys", "{" + VALID + ", \"to\": \"eve@example.com\"}", 400, "body"));
        rows.add(email("object nested 40 deep", "{" + VALID + ", \"metadata\": "
                + "{\"a\": ".repeat(40) + "1" + "}".repeat(40) + "}", 400, "body"));
        rows.add(email("array nested 40 deep", "{" + VALID + ", \"tags\": "
                + "[".repeat(40) + "]".repeat(40) + "}", 400, "body"));
        rows.add(email("number with 200 digits", "{" + VALID + ", \"tags\": [" + "9".repeat(200) + "]}", 400, "body"));
        rows.add(new Hostile("invalid UTF-8", "POST", "/api/v1/email", "{admin}", Map.of("Content-Type", JSON),
                concat(bytes("{\"to\": \"ann@example.com\", \"subject\": \""), new byte[] {(byte) 0xff, (byte) 0xfe},
                        bytes("\", \"text\": \"x\"}")), Transfer.FIXED, 400, "body"));
        rows.add(email("empty body", "", 400, "body"));

        // --- wrong content type
        rows.add(request("Content-Type text/plain", "POST", "/api/v1/email", "{admin}",
                Map.of("Content-Type", "text/plain"), "{" + VALID + "}", 415, null));
        rows.add(request("no Content-Type", "POST", "/api/v1/email", "{admin}", Map.of(), "{" + VALID + "}", 415, null));
        rows.add(request("Content-Type application/x-www-form-urlencoded", "POST", "/api/v1/email", "{admin}",
                Map.of("Content-Type", "application/x-www-form-urlencoded"), "to=ann@example.com&subject=Hi&text=x",
                415, null));

        // --- wrong types, missing fields
        rows.add(email("to is a number", "{\"to\": 5, \"subject\": \"Hi\", \"text\": \"x\"}", 422, "to"));
        rows.add(email("subject is a boolean", "{\"to\": \"ann@example.com\", \"subject\": true, \"text\": \"x\"}",
                422, "subject"));
        rows.add(email("tags is a string", "{" + VALID + ", \"tags\": \"x\"}", 422, "tags"));
        rows.add(email("metadata is an array", "{" + VALID + ", \"metadata\": [1]}", 422, "metadata"));
        rows.add(email("data is a string", "{\"to\": \"ann@example.com\", \"template\": \"welcome\", \"data\": \"x\"}",
                422, "data"));
        rows.add(email("to is missing", "{\"subject\": \"Hi\", \"text\": \"x\"}", 422, "to"));
        rows.add(email("to is an empty array", "{\"to\": [], \"subject\": \"Hi\", \"text\": \"x\"}", 422, "to"));
        rows.add(email("subject is missing", "{\"to\": \"ann@example.com\", \"text\": \"x\"}", 422, "subject"));
        rows.add(email("text, html and template are missing", "{\"to\": \"ann@example.com\", \"subject\": \"Hi\"}",
                422, "text"));
        rows.add(email("unknown field", "{" + VALID + ", \"bogus\": 1}", 422, "bogus"));
        rows.add(email("unknown field in an address", "{\"to\": {\"email\": \"ann@example.com\", \"admin\": true}, "
                + "\"subject\": \"Hi\", \"text\": \"x\"}", 422, "to.admin"));
        rows.add(email("subject longer than 998", "{\"to\": \"ann@example.com\", \"subject\": \"" + "s".repeat(999)
                + "\", \"text\": \"x\"}", 422, "subject"));
        rows.add(email("NUL in text", "{\"to\": \"ann@example.com\", \"subject\": \"Hi\", \"text\": \"a\\u0000b\"}",
                422, "text"));
        rows.add(email("11 tags", "{" + VALID + ", \"tags\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\"]}",
                422, "tags"));

        // --- header injection
        rows.add(email("CR/LF in subject", "{\"to\": \"ann@example.com\", \"subject\": \"Hi\\r\\nBcc: eve@example.com\", "
                + "\"text\": \"x\"}", 422, "subject"));
        rows.add(email("CR/LF in a to address", "{\"to\": \"ann@example.com\\r\\nBcc: eve@example.com\", "
                + "\"subject\": \"Hi\", \"text\": \"x\"}", 422, "to"));
        rows.add(email("CR/LF in the second to address", "{\"to\": [\"ann@example.com\", "
                + "\"bob@example.com\\nBcc: eve@example.com\"], \"subject\": \"Hi\", \"text\": \"x\"}", 422, "to[1]"));
        rows.add(email("CR/LF in the from name", "{" + VALID + ", \"from\": {\"email\": \"shop@example.com\", "
                + "\"name\": \"Shop\\r\\nBcc: eve@example.com\"}}", 422, "from"));
        rows.add(email("CR/LF in the replyTo name", "{" + VALID + ", \"replyTo\": {\"email\": \"help@example.com\", "
                + "\"name\": \"Help\\r\\nBcc: eve@example.com\"}}", 422, "replyTo"));
        rows.add(email("CR/LF in a metadata value", "{" + VALID + ", \"metadata\": {\"k\": \"v\\r\\nX-Evil: 1\"}}",
                422, "metadata.k"));
        rows.add(email("CR/LF in template data that renders the subject", "{\"to\": \"ann@example.com\", "
                + "\"template\": \"welcome\", \"data\": {\"name\": \"Ann\\r\\nBcc: eve@example.com\"}}", 422, "data"));

        // --- sizes
        StringBuilder recipients = new StringBuilder("{\"subject\": \"Hi\", \"text\": \"x\", \"to\": [");
        for (int i = 0; i < 10_000; i++) {
            recipients.append(i == 0 ? "" : ",").append("\"u").append(i).append("@example.com\"");
        }
        rows.add(email("10 000 recipients", recipients.append("]}").toString(), 422, "to"));
        byte[] huge = bytes("{\"to\": \"ann@example.com\", \"subject\": \"Hi\", \"text\": \"" + "x".repeat(MAX_BODY * 2) + "\"}");
        rows.add(new Hostile("body over the limit with Content-Length", "POST", "/api/v1/email", "{admin}",
                Map.of("Content-Type", JSON), huge, Transfer.FIXED, 413, null));
        rows.add(new Hostile("body over the limit, chunked without Content-Length", "POST", "/api/v1/email", "{admin}",
                Map.of("Content-Type", JSON), huge, Transfer.CHUNKED, 413, null));

        // --- templates
        rows.add(email("unknown template", "{\"to\": \"ann@example.com\", \"template\": \"no-such-template\"}", 422, "template"));
        rows.add(email("template ../../etc/passwd", "{\"to\": \"ann@example.com\", \"template\": \"../../etc/passwd\"}",
                422, "template"));
        rows.add(email("template /etc/passwd", "{\"to\": \"ann@example.com\", \"template\": \"/etc/passwd\"}", 422, "template"));
        rows.add(email("template welcome/../welcome", "{\"to\": \"ann@example.com\", \"template\": \"welcome/../welcome\"}",
                422, "template"));
        rows.add(email("template with text", "{\"to\": \"ann@example.com\", \"template\": \"welcome\", \"text\": \"x\"}",
                422, "template"));

        // --- Idempotency-Key
        rows.add(request("Idempotency-Key of 256 characters", "POST", "/api/v1/email", "{admin}",
                Map.of("Content-Type", JSON, "Idempotency-Key", "k".repeat(256)), "{" + VALID + "}", 400, "Idempotency-Key"));
        rows.add(request("Idempotency-Key with a tab", "POST", "/api/v1/email", "{admin}",
                Map.of("Content-Type", JSON, "Idempotency-Key", "key\tone"), "{" + VALID + "}", 400, "Idempotency-Key"));
        rows.add(request("Idempotency-Key with a space", "POST", "/api/v1/email", "{admin}",
                Map.of("Content-Type", JSON, "Idempotency-Key", "key one"), "{" + VALID + "}", 400, "Idempotency-Key"));
        rows.add(new Hostile("Idempotency-Key with a non-ASCII byte", "POST", "/api/v1/email", "{admin}",
                Map.of("Content-Type", JSON, "Idempotency-Key", "cl\u00e9"), bytes("{" + VALID + "}"), Transfer.RAW,
                400, "Idempotency-Key"));
        rows.add(new Hostile("Idempotency-Key in UTF-8", "POST", "/api/v1/email", "{admin}",
                Map.of("Content-Type", JSON, "Idempotency-Key", new String(bytes("cl\u00e9"), StandardCharsets.ISO_8859_1)),
                bytes("{" + VALID + "}"), Transfer.RAW, 400, "Idempotency-Key"));
        rows.add(request("Idempotency-Key on a batch, too long", "POST", "/api/v1/email/batch", "{admin}",
                Map.of("Content-Type", JSON, "Idempotency-Key", "k".repeat(300)), "{\"messages\": [{" + VALID + "}]}",
                400, "Idempotency-Key"));

        // --- authentication and authorization
        rows.add(request("no Authorization header", "POST", "/api/v1/email", null,
                Map.of("Content-Type", JSON), "{" + VALID + "}", 401, null));
        rows.add(request("Basic scheme with the admin key as password", "POST", "/api/v1/email",
                "Basic " + Base64.getEncoder().encodeToString(("admin:" + TestHub.ADMIN_KEY).getBytes(StandardCharsets.UTF_8)),
                Map.of("Content-Type", JSON), "{" + VALID + "}", 401, null));
        rows.add(request("Basic scheme with the admin key alone", "GET", "/api/v1/messages",
                "Basic " + TestHub.ADMIN_KEY, Map.of(), null, 401, null));
        rows.add(get("Bearer without a key", "/api/v1/messages", "Bearer ", 401, null));
        rows.add(get("wrong key", "/api/v1/messages", "Bearer not-the-admin-key-0123456789", 401, null));
        rows.add(get("admin key with one more character", "/api/v1/messages", "Bearer " + TestHub.ADMIN_KEY + "x", 401, null));
        rows.add(get("admin key without a scheme", "/api/v1/messages", TestHub.ADMIN_KEY, 401, null));
        rows.add(get("revoked key", "/api/v1/messages", "Bearer {revoked}", 401, null));
        rows.add(get("key of the right shape but unknown", "/api/v1/messages",
                "Bearer hk_0123456789abcdef_" + "A".repeat(43), 401, null));
        rows.add(get("key longer than 512 characters", "/api/v1/messages", "Bearer " + "k".repeat(2000), 401, null));
        rows.add(request("YAML route without a key", "POST", "/api/v1/events/user-signed-up", null,
                Map.of("Content-Type", JSON), "{\"email\": \"ann@example.com\", \"name\": \"Ann\"}", 401, null));
        rows.add(request("create a key with a sender key", "POST", "/api/v1/keys", "Bearer {sender}",
                Map.of("Content-Type", JSON), "{\"name\": \"mine\", \"role\": \"admin\"}", 403, null));
        rows.add(get("list keys with a sender key", "/api/v1/keys", "Bearer {sender}", 403, null));
        rows.add(request("revoke the environment admin key with a sender key", "DELETE", "/api/v1/keys/env-admin",
                "Bearer {sender}", Map.of(), null, 403, null));

        // --- what the HTTP server refuses before any route
        rows.add(get("unknown API path", "/api/v1/nothing-here", "{admin}", 404, null));
        rows.add(request("PUT on the email endpoint", "PUT", "/api/v1/email", "{admin}", Map.of("Content-Type", JSON),
                "{" + VALID + "}", 405, null));
        rows.add(request("DELETE on the message list", "DELETE", "/api/v1/messages", "{admin}", Map.of(), null, 405, null));
        rows.add(request("Accept: text/html only", "GET", "/api/v1/messages", "{admin}", Map.of("Accept", "text/html"),
                null, 406, null));

        // --- key management input
        rows.add(request("create a key with an unknown role", "POST", "/api/v1/keys", "{admin}",
                Map.of("Content-Type", JSON), "{\"name\": \"x\", \"role\": \"root\"}", 400, "role"));
        rows.add(request("create a key with a path in its name", "POST", "/api/v1/keys", "{admin}",
                Map.of("Content-Type", JSON), "{\"name\": \"../../etc\", \"role\": \"sender\"}", 400, "name"));
        rows.add(request("create a key with an unknown field", "POST", "/api/v1/keys", "{admin}",
                Map.of("Content-Type", JSON), "{\"name\": \"x\", \"role\": \"sender\", \"secret_hash\": \"00\"}",
                400, "secret_hash"));
        rows.add(request("revoke a key by a path", "DELETE", "/api/v1/keys/..%2F..%2Fetc", "{admin}", Map.of(), null,
                400, "id"));
        rows.add(request("revoke an unknown key", "DELETE", "/api/v1/keys/0123456789abcdef", "{admin}", Map.of(), null,
                404, null));
        rows.add(request("rotate with a negative grace", "POST", "/api/v1/keys/env-admin/rotate?graceSeconds=-5",
                "{admin}", Map.of(), null, 400, "graceSeconds"));
        rows.add(request("rotate with a grace that is not a number", "POST",
                "/api/v1/keys/env-admin/rotate?graceSeconds=1e9", "{admin}", Map.of(), null, 400, "graceSeconds"));

        // --- message ids and listing
        rows.add(get("message id ..%2F..%2Fetc", "/api/v1/messages/..%2F..%2Fetc", "{admin}", 400, "id"));
        rows.add(get("message id with SQL", "/api/v1/messages/msg_'%20OR%201=1", "{admin}", 400, "id"));
        rows.add(get("message id with SQL and a comment", "/api/v1/messages/msg_'%3B--", "{admin}", 400, "id"));
        rows.add(get("message id of 2000 characters", "/api/v1/messages/msg_" + "a".repeat(2000), "{admin}", 400, "id"));
        rows.add(get("unknown, well-formed message id", "/api/v1/messages/msg_" + "0".repeat(32), "{admin}", 404, null));
        rows.add(request("retry an unknown message", "POST", "/api/v1/messages/msg_" + "0".repeat(32) + "/retry",
                "{admin}", Map.of(), null, 404, null));
        rows.add(request("retry a malformed message id", "POST", "/api/v1/messages/msg_x/retry",
                "{admin}", Map.of(), null, 400, "id"));
        rows.add(get("list with status=bogus", "/api/v1/messages?status=bogus", "{admin}", 400, "status"));
        rows.add(get("list with status holding SQL", "/api/v1/messages?status=sent'%20OR%20'1'='1", "{admin}", 400, "status"));
        rows.add(get("list with channel in capitals", "/api/v1/messages?channel=EMAIL", "{admin}", 400, "channel"));
        rows.add(get("list with limit=0", "/api/v1/messages?limit=0", "{admin}", 400, "limit"));
        rows.add(get("list with limit=abc", "/api/v1/messages?limit=abc", "{admin}", 400, "limit"));
        rows.add(get("list with limit=101", "/api/v1/messages?limit=101", "{admin}", 400, "limit"));
        rows.add(get("list with limit beyond int", "/api/v1/messages?limit=99999999999999999999", "{admin}", 400, "limit"));
        rows.add(get("list with offset=-1", "/api/v1/messages?offset=-1", "{admin}", 400, "offset"));

        // --- batch
        StringBuilder batch = new StringBuilder("{\"messages\": [");
        for (int i = 0; i < 101; i++) {
            batch.append(i == 0 ? "" : ",").append("{").append(VALID).append("}");
        }
        rows.add(batchRow("batch of 101 messages", batch.append("]}").toString(), 422, "messages"));
        rows.add(batchRow("batch of 0 messages", "{\"messages\": []}", 422, "messages"));
        rows.add(batchRow("batch that is an array", "[{" + VALID + "}]", 400, "body"));
        rows.add(batchRow("batch whose messages is an object", "{\"messages\": {" + VALID + "}}", 400, "messages"));
        rows.add(batchRow("batch with another field", "{\"messages\": [{" + VALID + "}], \"sendAll\": true}", 400, "messages"));
        rows.add(batchRow("batch whose every message is invalid", "{\"messages\": [{\"to\": 5, \"subject\": \"Hi\", "
                + "\"text\": \"x\"}, {\"to\": \"ann@example.com\", \"subject\": \"a\\nb\", \"text\": \"x\"}]}", 422,
                "messages[0].to"));

        // --- the YAML route
        rows.add(yaml("YAML route with a body that is not JSON", "this is not JSON", 400, "body"));
        rows.add(yaml("YAML route with a JSON array", "[1, 2]", 400, "body"));
        rows.add(yaml("YAML route with CR/LF in the email", "{\"email\": \"ann@example.com\\r\\nBcc: eve@example.com\", "
                + "\"name\": \"Ann\"}", 422, "to"));
        rows.add(yaml("YAML route with CR/LF in the name", "{\"email\": \"ann@example.com\", "
                + "\"name\": \"Ann\\r\\nBcc: eve@example.com\"}", 422, "data"));
        rows.add(yaml("YAML route with a JSON string", "\"ann@example.com\"", 400, "body"));
        rows.add(yaml("YAML route with an email that is a number", "{\"email\": 5}", 422, "to"));
        rows.add(yaml("YAML route without an email", "{\"name\": \"Ann\"}", 422, "to"));
        rows.add(yaml("YAML route with an empty body", "", 400, "body"));
        rows.add(request("YAML route with Content-Type text/plain", "POST", "/api/v1/events/user-signed-up", "{admin}",
                Map.of("Content-Type", "text/plain"), "{\"email\": \"ann@example.com\"}", 415, null));

        smsRows(rows);

        return rows.stream();
    }

    /** A valid SMS but for what a row adds or changes; the number is one libphonenumber accepts. */
    private static final String SMS_TO = "+14155552671";
    private static final String VALID_SMS = "\"to\": \"" + SMS_TO + "\", \"body\": \"Hello\"";

    private static Hostile sms(String name, String json, int status, String field) {
        return new Hostile(name, "POST", "/api/v1/sms", "{admin}", Map.of("Content-Type", JSON), bytes(json),
                Transfer.FIXED, status, field);
    }

    private static Hostile smsTo(String name, String to, int status) {
        return sms(name, "{\"to\": " + Json.MAPPER.valueToTree(to) + ", \"body\": \"Hello\"}", status, "to");
    }

    private static Hostile smsWith(String name, String extraFields, String field) {
        return sms(name, "{" + VALID_SMS + ", " + extraFields + "}", 422, field);
    }

    private static String jsonStrings(int count, String prefix) {
        StringBuilder list = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            list.append(i == 0 ? "" : ",").append('"').append(prefix).append(i).append('"');
        }
        return list.append(']').toString();
    }

    /** SMS requests: numbers, bodies, templates, media, tags, metadata, senders, types, encodings, batches. */
    private static void smsRows(List<Hostile> rows) {
        // --- numbers
        rows.add(smsTo("SMS to with letters", "+1415555CALL", 422));
        rows.add(smsTo("SMS to too short", "+1415", 422));
        rows.add(smsTo("SMS to too long", "+1415555267112345", 422));
        rows.add(smsTo("SMS to with unknown country code +999", "+999123456789", 422));
        rows.add(smsTo("SMS to with an emoji", "+1415555\uD83D\uDE002671", 422));
        rows.add(smsTo("SMS to empty", "", 422));
        rows.add(smsTo("SMS to blank", "   ", 422));
        rows.add(smsTo("SMS to national without a default region", "4155552671", 422));
        rows.add(smsTo("SMS to with an extension", SMS_TO + " ext. 123", 422));
        rows.add(smsTo("SMS to with x extension", SMS_TO + "x123", 422));
        rows.add(smsTo("SMS to of 65 characters", "+1 415 555 2671" + " ".repeat(50), 422));
        rows.add(smsTo("SMS to with a CR/LF", SMS_TO + "\r\nX-Evil: 1", 422));
        rows.add(smsTo("SMS to with NUL", SMS_TO + "\u0000", 422));
        rows.add(sms("SMS to is a number", "{\"to\": 14155552671, \"body\": \"Hello\"}", 422, "to"));
        rows.add(sms("SMS to is an array", "{\"to\": [\"" + SMS_TO + "\"], \"body\": \"Hello\"}", 422, "to"));
        rows.add(sms("SMS to is an object", "{\"to\": {\"number\": \"" + SMS_TO + "\"}, \"body\": \"Hello\"}", 422, "to"));
        rows.add(sms("SMS to is missing", "{\"body\": \"Hello\"}", 422, "to"));

        // --- senders
        rows.add(smsWith("SMS from a 12-character sender id", "\"from\": \"ABCDEFGHIJKL\"", "from"));
        rows.add(smsWith("SMS from digits only that are not a number", "\"from\": \"12345\"", "from"));
        rows.add(smsWith("SMS from a sender id with punctuation", "\"from\": \"Acme-Shop!\"", "from"));
        rows.add(smsWith("SMS from is a number", "\"from\": 14155552671", "from"));

        // --- bodies
        rows.add(sms("SMS body of 1601 characters", "{\"to\": \"" + SMS_TO + "\", \"body\": \"" + "a".repeat(1601) + "\"}",
                422, "body"));
        // 700 UCS-2 characters: 11 segments of 67, more than sms.max-segments (10)
        rows.add(sms("SMS body of 11 segments", "{\"to\": \"" + SMS_TO + "\", \"body\": \"" + "\u00e7".repeat(700) + "\"}",
                422, "body"));
        rows.add(sms("SMS body missing", "{\"to\": \"" + SMS_TO + "\"}", 422, "body"));
        rows.add(sms("SMS body blank", "{\"to\": \"" + SMS_TO + "\", \"body\": \"  \"}", 422, "body"));
        rows.add(sms("SMS body with NUL", "{\"to\": \"" + SMS_TO + "\", \"body\": \"a\\u0000b\"}", 422, "body"));
        rows.add(sms("SMS body is an object", "{\"to\": \"" + SMS_TO + "\", \"body\": {\"text\": \"x\"}}", 422, "body"));

        // --- templates
        String code = "\"data\": {\"app\": \"Acme\", \"code\": \"123456\"}";
        rows.add(smsWith("SMS template and body together", "\"template\": \"verification-code\", " + code, "template"));
        rows.add(sms("SMS unknown template", "{\"to\": \"" + SMS_TO + "\", \"template\": \"no-such-template\"}", 422, "template"));
        rows.add(sms("SMS template ../x", "{\"to\": \"" + SMS_TO + "\", \"template\": \"../x\"}", 422, "template"));
        rows.add(sms("SMS template ..%2Fx", "{\"to\": \"" + SMS_TO + "\", \"template\": \"..%2Fx\"}", 422, "template"));
        rows.add(sms("SMS template ../email/welcome.subject", "{\"to\": \"" + SMS_TO + "\", "
                + "\"template\": \"../email/welcome.subject\"}", 422, "template"));
        rows.add(sms("SMS template /etc/passwd", "{\"to\": \"" + SMS_TO + "\", \"template\": \"/etc/passwd\"}", 422, "template"));
        rows.add(sms("SMS template data is a string", "{\"to\": \"" + SMS_TO + "\", \"template\": \"verification-code\", "
                + "\"data\": \"x\"}", 422, "data"));
        rows.add(sms("SMS template data is an array", "{\"to\": \"" + SMS_TO + "\", \"template\": \"verification-code\", "
                + "\"data\": [1, 2]}", 422, "data"));
        rows.add(smsWith("SMS data without a template", code, "data"));
        rows.add(sms("SMS template whose rendering is over 1600 characters", "{\"to\": \"" + SMS_TO + "\", "
                + "\"template\": \"verification-code\", \"data\": {\"app\": \"" + "a".repeat(1600) + "\", \"code\": \"1\"}}",
                422, "data"));

        // --- media
        rows.add(smsWith("SMS mediaUrls is a string", "\"mediaUrls\": \"https://example.com/a.png\"", "mediaUrls"));
        rows.add(smsWith("SMS mediaUrls is an object", "\"mediaUrls\": {\"url\": \"https://example.com/a.png\"}", "mediaUrls"));
        rows.add(smsWith("SMS 11 mediaUrls", "\"mediaUrls\": " + jsonStrings(11, "https://example.com/m"), "mediaUrls"));
        rows.add(smsWith("SMS mediaUrl javascript:", "\"mediaUrls\": [\"javascript:alert(1)\"]", "mediaUrls[0]"));
        rows.add(smsWith("SMS mediaUrl ftp:", "\"mediaUrls\": [\"ftp://example.com/a.png\"]", "mediaUrls[0]"));
        rows.add(smsWith("SMS mediaUrl file:", "\"mediaUrls\": [\"file:///etc/passwd\"]", "mediaUrls[0]"));
        rows.add(smsWith("SMS mediaUrl relative", "\"mediaUrls\": [\"/images/a.png\"]", "mediaUrls[0]"));
        rows.add(smsWith("SMS mediaUrl with credentials", "\"mediaUrls\": [\"https://u:p@example.com/a.png\"]",
                "mediaUrls[0]"));
        rows.add(smsWith("SMS mediaUrl with a space", "\"mediaUrls\": [\"https://example.com/a b.png\"]", "mediaUrls[0]"));
        rows.add(smsWith("SMS mediaUrl that is a number", "\"mediaUrls\": [42]", "mediaUrls[0]"));
        rows.add(smsWith("SMS second mediaUrl over 2048 characters", "\"mediaUrls\": [\"https://example.com/a.png\", "
                + "\"https://example.com/" + "a".repeat(2048) + "\"]", "mediaUrls[1]"));

        // --- tags and metadata
        rows.add(smsWith("SMS tags is a string", "\"tags\": \"otp\"", "tags"));
        rows.add(smsWith("SMS 11 tags", "\"tags\": " + jsonStrings(11, "t"), "tags"));
        rows.add(smsWith("SMS tag with a space", "\"tags\": [\"one two\"]", "tags[0]"));
        rows.add(smsWith("SMS tag of 65 characters", "\"tags\": [\"" + "t".repeat(65) + "\"]", "tags[0]"));
        rows.add(smsWith("SMS metadata is an array", "\"metadata\": [\"k\"]", "metadata"));
        rows.add(smsWith("SMS metadata value is an object", "\"metadata\": {\"k\": {\"nested\": \"v\"}}", "metadata.k"));
        rows.add(smsWith("SMS metadata value with CR/LF", "\"metadata\": {\"k\": \"v\\r\\nX-Evil: 1\"}", "metadata.k"));
        rows.add(smsWith("SMS metadata value of 257 characters", "\"metadata\": {\"k\": \"" + "v".repeat(257) + "\"}",
                "metadata.k"));
        StringBuilder entries = new StringBuilder("{");
        for (int i = 0; i < 21; i++) {
            entries.append(i == 0 ? "" : ",").append("\"k").append(i).append("\": \"v\"");
        }
        rows.add(smsWith("SMS metadata with 21 entries", "\"metadata\": " + entries.append('}'), "metadata"));

        // --- unknown fields
        rows.add(smsWith("SMS unknown field", "\"priority\": \"high\"", "priority"));
        rows.add(smsWith("SMS field of another channel", "\"subject\": \"Hi\"", "subject"));
        rows.add(smsWith("SMS field named like a provider setting", "\"statusCallback\": \"https://evil.example.com\"",
                "statusCallback"));

        // --- not one strict JSON object, wrong content type, Idempotency-Key
        rows.add(sms("SMS duplicate keys", "{" + VALID_SMS + ", \"to\": \"+447911123456\"}", 400, "body"));
        rows.add(sms("SMS body that is a JSON array", "[{" + VALID_SMS + "}]", 400, "body"));
        rows.add(sms("SMS malformed JSON", "{\"to\": \"" + SMS_TO + "\", ", 400, "body"));
        rows.add(request("SMS with Content-Type text/plain", "POST", "/api/v1/sms", "{admin}",
                Map.of("Content-Type", "text/plain"), "{" + VALID_SMS + "}", 415, null));
        rows.add(request("SMS form-encoded like Twilio's own API", "POST", "/api/v1/sms", "{admin}",
                Map.of("Content-Type", "application/x-www-form-urlencoded"), "To=%2B14155552671&Body=Hello", 415, null));
        rows.add(request("SMS Idempotency-Key of 256 characters", "POST", "/api/v1/sms", "{admin}",
                Map.of("Content-Type", JSON, "Idempotency-Key", "k".repeat(256)), "{" + VALID_SMS + "}", 400,
                "Idempotency-Key"));
        rows.add(request("SMS without a key", "POST", "/api/v1/sms", null, Map.of("Content-Type", JSON),
                "{" + VALID_SMS + "}", 401, null));

        // --- batches
        StringBuilder batch = new StringBuilder("{\"messages\": [");
        for (int i = 0; i < 101; i++) {
            batch.append(i == 0 ? "" : ",").append("{").append(VALID_SMS).append("}");
        }
        rows.add(smsBatch("SMS batch of 101 messages", batch.append("]}").toString(), 422, "messages"));
        rows.add(smsBatch("SMS batch that is an array", "[{" + VALID_SMS + "}]", 400, "body"));
        rows.add(smsBatch("SMS batch whose every message is invalid", "{\"messages\": [{\"to\": \"+1415\", \"body\": \"x\"}, "
                + "{\"to\": \"" + SMS_TO + "\", \"template\": \"../x\"}]}", 422, "messages[1].template"));
        rows.add(smsBatch("SMS batch of messages that are not objects", "{\"messages\": [5, \"" + SMS_TO + "\"]}", 422,
                "messages[0]"));
        rows.add(request("SMS batch Idempotency-Key too long", "POST", "/api/v1/sms/batch", "{admin}",
                Map.of("Content-Type", JSON, "Idempotency-Key", "k".repeat(300)), "{\"messages\": [{" + VALID_SMS + "}]}",
                400, "Idempotency-Key"));
    }

    private static Hostile smsBatch(String name, String json, int status, String field) {
        return new Hostile(name, "POST", "/api/v1/sms/batch", "{admin}", Map.of("Content-Type", JSON), bytes(json),
                Transfer.FIXED, status, field);
    }

    private static Hostile batchRow(String name, String json, int status, String field) {
        return new Hostile(name, "POST", "/api/v1/email/batch", "{admin}", Map.of("Content-Type", JSON), bytes(json),
                Transfer.FIXED, status, field);
    }

    private static Hostile yaml(String name, String json, int status, String field) {
        return new Hostile(name, "POST", "/api/v1/events/user-signed-up", "{admin}", Map.of("Content-Type", JSON),
                bytes(json), Transfer.FIXED, status, field);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** What came back: status, headers (names in lower case) and body. */
    record Reply(int status, Map<String, List<String>> headers, String body) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    @Order(1)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("table")
    void getsAProblemAndNeverA5xx(Hostile row) throws Exception {
        Reply response = row.transfer() == Transfer.RAW ? sendRaw(row) : send(row);
        RESPONSES.add(response.headers() + "\n" + response.body());
        String context = row.name() + ": " + response.status() + " " + response.headers() + " " + response.body();

        assertThat(response.status()).as(context).isLessThan(500).isEqualTo(row.status());
        assertThat(response.header("Content-Type")).as(context).isEqualTo(Problems.CONTENT_TYPE);
        JsonNode problem = Json.parse(response.body());
        assertThat(problem.isObject()).as(context).isTrue();
        assertThat(problem.path("title").isTextual() && !problem.path("title").asText().isBlank()).as(context).isTrue();
        assertThat(problem.path("status").isInt()).as(context).isTrue();
        assertThat(problem.path("status").asInt()).as(context).isEqualTo(row.status());
        if (row.field() != null) {
            assertThat(problem.path("errors").isArray()).as(context).isTrue();
            List<String> fields = new ArrayList<>();
            problem.path("errors").forEach(e -> {
                assertThat(e.path("message").isTextual()).as(context).isTrue();
                fields.add(e.path("field").asText());
            });
            assertThat(fields).as(context).contains(row.field());
        }
        if (row.status() == 401) {
            assertThat(response.header("WWW-Authenticate")).as(context).isEqualTo("Bearer");
        }
    }

    @Order(2)
    @Test
    void nothingWasStoredOrSentAndNoSecretLeaked() throws Exception {
        assertThat(RESPONSES).as("the table ran first").hasSizeGreaterThanOrEqualTo(30);
        assertThat(hub.outbox().list(null, null, null, 100, 0).items()).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM idempotency_keys")).isZero();
        // the environment admin key, the sender and the revoked key: no hostile request created one
        assertThat(count("SELECT COUNT(*) FROM api_keys")).isEqualTo(3);
        assertThat(count("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL AND expires_at IS NULL")).isEqualTo(2);

        List<String> lines = new ArrayList<>();
        for (ILoggingEvent event : LOGS.list) {
            lines.add(event.getLoggerName() + " " + event.getFormattedMessage());
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                lines.add(t.getClassName() + ": " + t.getMessage());
            }
        }
        assertThat(lines).as("log lines").isNotEmpty();
        assertThat(lines).as("no email or SMS was handed to a provider").noneMatch(l -> l.contains("console provider"));
        // phone numbers are masked in logs, the refused ones too
        assertThat(lines).as("log lines").noneMatch(l -> l.contains(SMS_TO) || l.contains("4155552671"));
        for (String secret : List.of(TestHub.ADMIN_KEY, SENDGRID_SECRET, RESEND_SECRET, SMTP_SECRET, TWILIO_SECRET,
                senderKey, revokedKey)) {
            assertThat(RESPONSES).as("responses").noneMatch(r -> r.contains(secret));
            assertThat(lines).as("log lines").noneMatch(l -> l.contains(secret));
        }
    }

    private static long count(String sql) throws Exception {
        return hub.store().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static String authorization(Hostile row) {
        return row.authorization() == null ? null : row.authorization().replace("{admin}", admin())
                .replace("{sender}", senderKey).replace("{revoked}", revokedKey);
    }

    private static Reply send(Hostile row) {
        HttpRequest.BodyPublisher body;
        if (row.body() == null) {
            body = HttpRequest.BodyPublishers.noBody();
        } else if (row.transfer() == Transfer.CHUNKED) {
            // unknown length: sent with Transfer-Encoding: chunked and no Content-Length
            body = HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(row.body()));
        } else {
            body = HttpRequest.BodyPublishers.ofByteArray(row.body());
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + hub.port() + row.path()))
                .timeout(Duration.ofSeconds(30)).method(row.method(), body);
        if (row.authorization() != null) {
            request.header("Authorization", authorization(row));
        }
        row.headers().forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Map<String, List<String>> headers = new TreeMap<>();
            response.headers().map().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
            return new Reply(response.statusCode(), headers, response.body());
        } catch (IOException e) {
            throw new AssertionError(row.name() + ": no HTTP response: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** HTTP/1.1 written to a socket as it is, one request per connection. */
    private static Reply sendRaw(Hostile row) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder(row.method() + " " + row.path() + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close\r\n");
        if (row.authorization() != null) {
            head.append("Authorization: ").append(authorization(row)).append("\r\n");
        }
        row.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (row.body() != null) {
            head.append("Content-Length: ").append(row.body().length).append("\r\n");
        }
        request.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        if (row.body() != null) {
            request.write(row.body());
        }
        byte[] answer;
        try (Socket socket = new Socket("localhost", hub.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.toByteArray());
            socket.getOutputStream().flush();
            answer = socket.getInputStream().readAllBytes();
        }
        String text = new String(answer, StandardCharsets.UTF_8);
        int split = text.indexOf("\r\n\r\n");
        assertThat(split).as(row.name() + ": a whole HTTP response: " + text).isPositive();
        String[] lines = text.substring(0, split).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, List<String>> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).trim());
        }
        String body = text.substring(split + 4);
        if ("chunked".equalsIgnoreCase(String.join(",", headers.getOrDefault("transfer-encoding", List.of())))) {
            StringBuilder joined = new StringBuilder();
            int at = 0;
            while (true) {
                int eol = body.indexOf("\r\n", at);
                int size = Integer.parseInt(body.substring(at, eol).trim(), 16);
                if (size == 0) {
                    break;
                }
                joined.append(body, eol + 2, eol + 2 + size);
                at = eol + 2 + size + 2;
            }
            body = joined.toString();
        }
        return new Reply(status, headers, body);
    }
}
