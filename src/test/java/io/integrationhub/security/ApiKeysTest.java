package io.integrationhub.security;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.api.Problems;
import io.integrationhub.store.Store;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * API keys over HTTP: issued once, stored as hashes, roles enforced, one 401 for every kind of bad key, rotation with
 * a grace period, the environment's admin key, and the guard in front of YAML-declared REST routes.
 */
class ApiKeysTest {

    private static final String EMAIL = "{\"to\": \"ann@example.com\", \"subject\": \"Hi\", \"text\": \"Hello\"}";

    @TempDir
    static Path data;

    private static TestHub hub;
    /** Every plain key this class was given, to look for in the store. */
    private static final List<String> ISSUED = new CopyOnWriteArrayList<>();

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

    private static JsonNode create(String name, String role) {
        JsonNode body = hub.createKey(name, role);
        ISSUED.add(body.get("key").asText());
        return body;
    }

    private static HttpResponse<String> sendEmail(String authorization) {
        return hub.request("POST", "/api/v1/email", authorization, EMAIL);
    }

    private static HttpResponse<String> listMessages(String authorization) {
        return hub.request("GET", "/api/v1/messages", authorization, null);
    }

    private static void assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(Problems.CONTENT_TYPE);
        JsonNode problem = Json.parse(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asText()).isNotBlank();
    }

    @Test
    void adminCreatesASenderKeyShownOnceAndNeverListed() {
        JsonNode created = create("app", "sender");
        String key = created.get("key").asText();
        assertThat(key).matches("hk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
        assertThat(created.get("id").asText()).isEqualTo(key.substring(3, 19));
        assertThat(created.get("name").asText()).isEqualTo("app");
        assertThat(created.get("role").asText()).isEqualTo("sender");
        assertThat(created.get("revokedAt").isNull()).isTrue();

        HttpResponse<String> list = hub.request("GET", "/api/v1/keys", admin(), null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(key).doesNotContain(key.substring(20))
                .doesNotContain(TestHub.ADMIN_KEY).doesNotContainIgnoringCase("hash");
        JsonNode items = Json.parse(list.body()).get("items");
        JsonNode listed = null;
        for (JsonNode item : items) {
            assertThat(item.has("key")).as(item.toString()).isFalse();
            if (item.get("id").asText().equals(created.get("id").asText())) {
                listed = item;
            }
        }
        assertThat(listed).as("the new key is listed").isNotNull();
        assertThat(listed.get("name").asText()).isEqualTo("app");
        assertThat(listed.get("role").asText()).isEqualTo("sender");
        // the environment's admin key is listed under its own id, without its value
        assertThat(items.findValuesAsText("id")).contains("env-admin");
    }

    @Test
    void aSenderSendsButCannotManageKeys() {
        String sender = create("sender-only", "sender").get("key").asText();
        JsonNode other = create("someone-else", "sender");

        HttpResponse<String> sent = sendEmail(bearer(sender));
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
        assertThat(listMessages(bearer(sender)).statusCode()).isEqualTo(200);

        assertProblem(hub.request("GET", "/api/v1/keys", bearer(sender), null), 403);
        assertProblem(hub.request("POST", "/api/v1/keys", bearer(sender), "{\"name\": \"mine\", \"role\": \"admin\"}"), 403);
        assertProblem(hub.request("DELETE", "/api/v1/keys/" + other.get("id").asText(), bearer(sender), null), 403);
        assertProblem(hub.request("POST", "/api/v1/keys/" + other.get("id").asText() + "/rotate", bearer(sender), null), 403);
        // nothing happened to the other key
        assertThat(sendEmail(bearer(other.get("key").asText())).statusCode()).isEqualTo(202);
        assertThat(hub.request("GET", "/api/v1/keys", admin(), null).body()).doesNotContain("\"mine\"");
    }

    @Test
    void anAdminKeyCreatedThroughTheApiIsAnAdmin() {
        String admin2 = create("second-admin", "admin").get("key").asText();
        assertThat(hub.request("GET", "/api/v1/keys", bearer(admin2), null).statusCode()).isEqualTo(200);
        // the scheme name is case-insensitive (RFC 9110)
        assertThat(hub.request("GET", "/api/v1/keys", "bearer " + admin2, null).statusCode()).isEqualTo(200);
    }

    @Test
    void missingWrongRevokedAndExpiredKeysAllGetTheSame401() throws Exception {
        JsonNode revoked = create("to-revoke", "sender");
        assertThat(sendEmail(bearer(revoked.get("key").asText())).statusCode()).isEqualTo(202);
        HttpResponse<String> revoke = hub.request("DELETE", "/api/v1/keys/" + revoked.get("id").asText(), admin(), null);
        assertThat(revoke.statusCode()).isEqualTo(204);
        assertProblem(hub.request("DELETE", "/api/v1/keys/" + revoked.get("id").asText(), admin(), null), 404);

        JsonNode expired = create("to-expire", "sender");
        HttpResponse<String> rotated = hub.request("POST", "/api/v1/keys/" + expired.get("id").asText()
                + "/rotate?graceSeconds=0", admin(), null);
        assertThat(rotated.statusCode()).isEqualTo(201);
        ISSUED.add(Json.parse(rotated.body()).get("key").asText());

        String valid = create("valid", "sender").get("key").asText();
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("missing", null);
        bad.put("empty bearer", "Bearer ");
        bad.put("wrong", bearer("wrong-key-0123456789abcdef"));
        bad.put("right shape, unknown", bearer("hk_0123456789abcdef_" + "x".repeat(43)));
        bad.put("known id, wrong secret", bearer(valid.substring(0, 20) + "y".repeat(43)));
        bad.put("basic scheme", "Basic " + Base64.getEncoder().encodeToString(("app:" + valid).getBytes(StandardCharsets.UTF_8)));
        bad.put("revoked", bearer(revoked.get("key").asText()));
        bad.put("expired", bearer(expired.get("key").asText()));

        Map<String, HttpResponse<String>> answers = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : bad.entrySet()) {
            answers.put(entry.getKey() + " on email", sendEmail(entry.getValue()));
            answers.put(entry.getKey() + " on messages", listMessages(entry.getValue()));
            answers.put(entry.getKey() + " on keys", hub.request("GET", "/api/v1/keys", entry.getValue(), null));
        }
        HttpResponse<String> reference = answers.get("missing on email");
        assertProblem(reference, 401);
        for (Map.Entry<String, HttpResponse<String>> answer : answers.entrySet()) {
            HttpResponse<String> response = answer.getValue();
            assertThat(response.statusCode()).as(answer.getKey()).isEqualTo(401);
            assertThat(response.body()).as(answer.getKey()).isEqualTo(reference.body());
            assertThat(response.headers().firstValue("Content-Type")).as(answer.getKey()).hasValue(Problems.CONTENT_TYPE);
            assertThat(response.headers().firstValue("WWW-Authenticate")).as(answer.getKey()).hasValue("Bearer");
        }
        // a valid key still works
        assertThat(sendEmail(bearer(valid)).statusCode()).isEqualTo(202);
    }

    @Test
    void rotationGivesANewKeyAndTheOldOneWorksOnlyForTheGracePeriod() throws Exception {
        JsonNode old = create("rotating", "sender");
        String oldKey = old.get("key").asText();
        Instant before = Instant.now();
        HttpResponse<String> rotated = hub.request("POST", "/api/v1/keys/" + old.get("id").asText()
                + "/rotate?graceSeconds=2", admin(), null);
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(201);
        JsonNode fresh = Json.parse(rotated.body());
        String newKey = fresh.get("key").asText();
        ISSUED.add(newKey);
        assertThat(newKey).isNotEqualTo(oldKey).matches("hk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
        assertThat(fresh.get("id").asText()).isNotEqualTo(old.get("id").asText());
        assertThat(fresh.get("name").asText()).isEqualTo("rotating");
        assertThat(fresh.get("role").asText()).isEqualTo("sender");
        assertThat(fresh.get("previousKeyId").asText()).isEqualTo(old.get("id").asText());
        Instant oldExpires = Instant.parse(fresh.get("previousKeyExpiresAt").asText());
        assertThat(oldExpires).isBetween(before.plusSeconds(1), Instant.now().plusSeconds(3));

        // both work during the grace period
        assertThat(sendEmail(bearer(newKey)).statusCode()).isEqualTo(202);
        assertThat(sendEmail(bearer(oldKey)).statusCode()).isEqualTo(202);
        assertThat(Instant.now()).as("still inside the grace period when checked").isBefore(oldExpires);

        // after it, only the new one
        while (Instant.now().isBefore(oldExpires.plusMillis(300))) {
            TestHub.sleep(100);
        }
        assertProblem(sendEmail(bearer(oldKey)), 401);
        assertThat(sendEmail(bearer(newKey)).statusCode()).isEqualTo(202);
        // an expired key cannot be rotated again
        assertProblem(hub.request("POST", "/api/v1/keys/" + old.get("id").asText() + "/rotate", admin(), null), 404);
    }

    @Test
    void headersNeverStandInForTheGraceOrTheKeyId() {
        JsonNode old = create("grace-by-query", "sender");
        JsonNode bystander = create("grace-bystander", "sender");
        // a header graceSeconds: 0 is not the query parameter: the default grace of a day applies
        HttpResponse<String> rotated = hub.request("POST", "/api/v1/keys/" + old.get("id").asText() + "/rotate", admin(), null,
                "graceSeconds", "0", "id", bystander.get("id").asText());
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(201);
        JsonNode fresh = Json.parse(rotated.body());
        ISSUED.add(fresh.get("key").asText());
        assertThat(fresh.get("previousKeyId").asText()).isEqualTo(old.get("id").asText());
        assertThat(Instant.parse(fresh.get("previousKeyExpiresAt").asText())).isAfter(Instant.now().plusSeconds(86000));
        assertThat(sendEmail(bearer(old.get("key").asText())).statusCode()).isEqualTo(202);
        assertThat(sendEmail(bearer(bystander.get("key").asText())).statusCode()).isEqualTo(202);

        // and the query wins over a header that says otherwise
        JsonNode now = create("grace-now", "sender");
        rotated = hub.request("POST", "/api/v1/keys/" + now.get("id").asText() + "/rotate?graceSeconds=0", admin(), null,
                "graceSeconds", "86400");
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(201);
        ISSUED.add(Json.parse(rotated.body()).get("key").asText());
        assertProblem(sendEmail(bearer(now.get("key").asText())), 401);

        // a revocation revokes the key its path names
        assertThat(hub.request("DELETE", "/api/v1/keys/" + old.get("id").asText(), admin(), null,
                "id", bystander.get("id").asText()).statusCode()).isEqualTo(204);
        assertProblem(sendEmail(bearer(old.get("key").asText())), 401);
        assertThat(sendEmail(bearer(bystander.get("key").asText())).statusCode()).isEqualTo(202);
    }

    @Test
    void answersCarryingASecretAreNeverStored() {
        HttpResponse<String> created = hub.request("POST", "/api/v1/keys", admin(), "{\"name\": \"no-store\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode body = Json.parse(created.body());
        ISSUED.add(body.get("key").asText());
        assertThat(created.headers().firstValue("Cache-Control")).hasValue("no-store");

        HttpResponse<String> rotated = hub.request("POST", "/api/v1/keys/" + body.get("id").asText() + "/rotate", admin(), null);
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(201);
        ISSUED.add(Json.parse(rotated.body()).get("key").asText());
        assertThat(rotated.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @Test
    void rotationWithNoGraceRevokesAtOnce() {
        JsonNode old = create("rotate-now", "sender");
        HttpResponse<String> rotated = hub.request("POST", "/api/v1/keys/" + old.get("id").asText()
                + "/rotate?graceSeconds=0", admin(), null);
        assertThat(rotated.statusCode()).isEqualTo(201);
        String newKey = Json.parse(rotated.body()).get("key").asText();
        ISSUED.add(newKey);
        assertProblem(sendEmail(bearer(old.get("key").asText())), 401);
        assertThat(sendEmail(bearer(newKey)).statusCode()).isEqualTo(202);
    }

    @Test
    void theYamlDeclaredRestRouteNeedsAKeyToo() {
        String body = "{\"email\": \"ann@example.com\", \"name\": \"Ann\"}";
        HttpResponse<String> without = hub.request("POST", "/api/v1/events/user-signed-up", null, body);
        assertProblem(without, 401);
        assertThat(without.body()).isEqualTo(sendEmail(null).body());
        assertProblem(hub.request("POST", "/api/v1/events/user-signed-up", bearer("wrong-key-0123456789abcdef"), body), 401);

        String sender = create("signup-app", "sender").get("key").asText();
        HttpResponse<String> with = hub.request("POST", "/api/v1/events/user-signed-up", bearer(sender), body);
        assertThat(with.statusCode()).as(with.body()).isEqualTo(202);
        // what the route queued belongs to the app that called it: its key sees it
        String statusUrl = Json.parse(with.body()).path("statusUrl").asText();
        HttpResponse<String> status = hub.request("GET", statusUrl, bearer(sender), null);
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        assertThat(Json.parse(status.body()).path("channel").asText()).isEqualTo("email");
    }

    @Test
    void keysAreStoredOnlyAsHashes() throws Exception {
        create("hash-check-sender", "sender");
        create("hash-check-admin", "admin");
        assertThat(ISSUED).isNotEmpty();
        List<String> secrets = new ArrayList<>(ISSUED);
        secrets.add(TestHub.ADMIN_KEY);

        Store store = hub.context().getRegistry().lookupByNameAndType("hubStore", Store.class);
        List<Map<String, String>> rows = store.inTransaction(c -> {
            List<Map<String, String>> all = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM api_keys"); ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        row.put(meta.getColumnName(i).toLowerCase(), rs.getString(i));
                    }
                    all.add(row);
                }
            }
            return all;
        });
        assertThat(rows).hasSizeGreaterThan(2);
        List<String> hashes = new ArrayList<>();
        for (Map<String, String> row : rows) {
            for (Map.Entry<String, String> column : row.entrySet()) {
                String value = column.getValue() == null ? "" : column.getValue();
                for (String secret : secrets) {
                    assertThat(value).as(column.getKey()).doesNotContain(secret);
                    if (secret.startsWith("hk_")) {
                        assertThat(value).as(column.getKey()).doesNotContain(secret.substring(20));
                    }
                }
            }
            hashes.add(row.get("secret_hash"));
        }
        // what is stored is the SHA-256 of each key
        for (String secret : secrets) {
            assertThat(hashes).contains(sha256(secret));
        }
    }

    private static String sha256(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theEnvironmentAdminKeyIsAnAdminAndIsReplacedWhenItChanges(@TempDir Path ownData) {
        String first = "first-environment-admin-key-0123";
        String second = "second-environment-admin-key-456";
        String sender;
        try (TestHub one = TestHub.start(ownData, Map.of("hub.admin-key", first))) {
            assertThat(one.request("GET", "/api/v1/keys", bearer(first), null).statusCode()).isEqualTo(200);
            assertThat(one.request("GET", "/api/v1/keys", admin(), null).statusCode()).isEqualTo(401);
            HttpResponse<String> created = one.request("POST", "/api/v1/keys", bearer(first),
                    "{\"name\": \"survivor\", \"role\": \"sender\"}");
            assertThat(created.statusCode()).isEqualTo(201);
            sender = Json.parse(created.body()).get("key").asText();
        }
        try (TestHub two = TestHub.start(ownData, Map.of("hub.admin-key", second))) {
            assertThat(two.request("GET", "/api/v1/keys", bearer(second), null).statusCode()).isEqualTo(200);
            assertThat(two.request("GET", "/api/v1/keys", bearer(first), null).statusCode()).isEqualTo(401);
            // keys issued through the API survive the restart
            assertThat(two.request("POST", "/api/v1/email", bearer(sender), EMAIL).statusCode()).isEqualTo(202);
        }
    }

    @Test
    void aNameBelongsToOneActiveKeyAtATime() {
        JsonNode first = create("single-owner", "sender");
        HttpResponse<String> again = hub.request("POST", "/api/v1/keys", admin(),
                "{\"name\": \"single-owner\", \"role\": \"admin\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(Json.parse(again.body()).get("errors").findValuesAsText("field")).containsExactly("name");

        assertThat(hub.request("DELETE", "/api/v1/keys/" + first.get("id").asText(), admin(), null).statusCode())
                .isEqualTo(204);
        assertThat(create("single-owner", "sender").get("name").asText()).isEqualTo("single-owner");
    }

    @Test
    void aRevokedHubAdminKeyStaysRevokedAcrossRestartsUntilItsValueChanges(@TempDir Path ownData) {
        String leaked = "leaked-admin-key-0123456789";
        try (TestHub one = TestHub.start(ownData, Map.of("hub.admin-key", leaked))) {
            assertThat(one.request("DELETE", "/api/v1/keys/env-admin", TestHub.bearer(leaked), null).statusCode())
                    .isEqualTo(204);
        }
        try (TestHub two = TestHub.start(ownData, Map.of("hub.admin-key", leaked))) {
            assertThat(two.request("GET", "/api/v1/keys", TestHub.bearer(leaked), null).statusCode()).isEqualTo(401);
        }
        String replacement = "replacement-admin-key-0123456789";
        try (TestHub three = TestHub.start(ownData, Map.of("hub.admin-key", replacement))) {
            assertThat(three.request("GET", "/api/v1/keys", TestHub.bearer(replacement), null).statusCode()).isEqualTo(200);
            assertThat(three.request("GET", "/api/v1/keys", TestHub.bearer(leaked), null).statusCode()).isEqualTo(401);
        }
    }
}
