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

    private static HttpResponse<String> createRaw(String json) {
        HttpResponse<String> response = hub.request("POST", "/api/v1/keys", admin(), json);
        if (response.statusCode() == 201) {
            ISSUED.add(Json.parse(response.body()).get("key").asText());
        }
        return response;
    }

    private static void assertNames(HttpResponse<String> response, int status, String... fields) {
        assertProblem(response, status);
        assertThat(Json.parse(response.body()).get("errors").findValuesAsText("field")).as(response.body()).containsExactly(fields);
    }

    @Test
    void namesAreComparedTrimmedAndIgnoringCaseAndStoredTrimmed() {
        JsonNode shop = Json.parse(createRaw("{\"name\": \"  Shop  \"}").body());
        assertThat(shop.get("name").asText()).isEqualTo("Shop");
        for (String taken : List.of("Shop", "shop", "shop ", " SHOP", "sHoP\\t")) {
            assertNames(createRaw("{\"name\": \"" + taken + "\", \"role\": \"admin\"}"), 409, "name");
        }
        for (String blank : List.of("", " ", "   ", "\\t \\n")) {
            assertNames(createRaw("{\"name\": \"" + blank + "\"}"), 400, "name");
        }
        // the environment's admin key's name is reserved, in any case or spacing
        for (String reserved : List.of("HUB_ADMIN_KEY", "hub_admin_key", " Hub_Admin_Key ")) {
            assertNames(createRaw("{\"name\": \"" + reserved + "\", \"role\": \"admin\"}"), 409, "name");
        }
        // a rotated name stays taken (its new key holds it); a revoked one is free again, under any spelling
        HttpResponse<String> rotated = hub.request("POST", "/api/v1/keys/" + shop.get("id").asText() + "/rotate?graceSeconds=0", admin(), null);
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(201);
        JsonNode successor = Json.parse(rotated.body());
        ISSUED.add(successor.get("key").asText());
        assertNames(createRaw("{\"name\": \"SHOP\"}"), 409, "name");
        assertThat(hub.request("DELETE", "/api/v1/keys/" + successor.get("id").asText(), admin(), null).statusCode()).isEqualTo(204);
        HttpResponse<String> again = createRaw("{\"name\": \"shop \"}");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
        assertThat(Json.parse(again.body()).get("name").asText()).isEqualTo("shop");
        // the environment's key is set by the environment, not rotated through the API
        assertProblem(hub.request("POST", "/api/v1/keys/env-admin/rotate", admin(), null), 409);
        assertThat(hub.request("GET", "/api/v1/keys", admin(), null).statusCode()).isEqualTo(200);
    }

    @Test
    void anEnvironmentAdminKeyInTheHubsOwnShapeWorks(@TempDir Path ownData) {
        // a key the hub printed once, pasted into a new deployment's HUB_ADMIN_KEY
        String pasted = "hk_0123456789abcdef_" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";
        assertThat(ApiKeys.idOf(pasted)).as("the value has the hub's own shape").isEqualTo("0123456789abcdef");
        try (TestHub own = TestHub.start(ownData, Map.of("hub.admin-key", pasted))) {
            HttpResponse<String> listed = own.request("GET", "/api/v1/keys", bearer(pasted), null);
            assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
            assertThat(listed.body()).doesNotContain(pasted);
            // a near miss is still refused
            assertProblem(own.request("GET", "/api/v1/keys", bearer(pasted.substring(0, pasted.length() - 1) + "f"), null), 401);
            // and keys the hub issues keep working beside it
            HttpResponse<String> created = own.request("POST", "/api/v1/keys", bearer(pasted), "{\"name\": \"beside\", \"role\": \"admin\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String issued = Json.parse(created.body()).get("key").asText();
            assertThat(own.request("GET", "/api/v1/keys", bearer(issued), null).statusCode()).isEqualTo(200);
            assertThat(own.request("POST", "/api/v1/email", bearer(pasted), EMAIL).statusCode()).isEqualTo(202);
        }
    }

    @Test
    void aKeyWithAllowedSenderDomainsSendsOnlyFromThem() {
        HttpResponse<String> created = createRaw("{\"name\": \"restricted\", \"allowedFrom\": [\"Shop.Example\", \"mail.example.org\", \"shop.example\"]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode key = Json.parse(created.body());
        assertThat(key.get("allowedFrom").toString()).isEqualTo("[\"shop.example\",\"mail.example.org\"]");
        String restricted = bearer(key.get("key").asText());
        JsonNode listed = null;
        for (JsonNode item : Json.parse(hub.request("GET", "/api/v1/keys", admin(), null).body()).get("items")) {
            if (item.get("id").asText().equals(key.get("id").asText())) {
                listed = item;
            }
            if (item.get("id").asText().equals("env-admin")) {
                assertThat(item.get("allowedFrom").isNull()).isTrue();
            }
        }
        assertThat(listed.get("allowedFrom").toString()).isEqualTo("[\"shop.example\",\"mail.example.org\"]");

        for (String from : List.of("orders@shop.example", "Shop <orders@SHOP.EXAMPLE>", "a@mail.example.org")) {
            HttpResponse<String> sent = hub.request("POST", "/api/v1/email", restricted, emailFrom(from));
            assertThat(sent.statusCode()).as(from + ": " + sent.body()).isEqualTo(202);
        }
        int before = messagesOf(restricted);
        // another domain, a subdomain, a parent domain, and the default EMAIL_FROM (hub@example.com)
        for (String from : List.of("orders@other.example", "a@sub.shop.example", "a@example.org", "a@shop.example.evil.com")) {
            assertNames(hub.request("POST", "/api/v1/email", restricted, emailFrom(from)), 422, "from");
        }
        assertNames(hub.request("POST", "/api/v1/email", restricted, EMAIL), 422, "from");
        // through a YAML route, which sends from the default EMAIL_FROM: refused the same way, nothing queued
        assertNames(hub.request("POST", "/api/v1/events/user-signed-up", restricted,
                "{\"email\": \"ann@example.com\", \"name\": \"Ann\"}"), 422, "from");
        // a batch: each message on its own
        HttpResponse<String> batch = hub.request("POST", "/api/v1/email/batch", restricted, "{\"messages\": ["
                + emailFrom("a@shop.example") + ", " + emailFrom("a@other.example") + ", " + EMAIL + "]}");
        assertThat(batch.statusCode()).as(batch.body()).isEqualTo(202);
        JsonNode results = Json.parse(batch.body());
        assertThat(results.get("accepted").asInt()).isEqualTo(1);
        assertThat(results.get("results").get(1).get("errors").findValuesAsText("field")).containsExactly("messages[1].from");
        assertThat(results.get("results").get(2).get("errors").findValuesAsText("field")).containsExactly("messages[2].from");
        assertNames(hub.request("POST", "/api/v1/email/batch", restricted, "{\"messages\": [" + emailFrom("a@other.example") + "]}"),
                422, "messages[0].from");
        // nothing refused was stored: the three sends and the batch's one
        assertThat(messagesOf(restricted)).isEqualTo(before + 1);

        // rotation keeps the domains
        HttpResponse<String> rotated = hub.request("POST", "/api/v1/keys/" + key.get("id").asText() + "/rotate?graceSeconds=0", admin(), null);
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(201);
        JsonNode successor = Json.parse(rotated.body());
        ISSUED.add(successor.get("key").asText());
        assertThat(successor.get("allowedFrom").toString()).isEqualTo("[\"shop.example\",\"mail.example.org\"]");
        assertNames(hub.request("POST", "/api/v1/email", bearer(successor.get("key").asText()), emailFrom("a@other.example")), 422, "from");
        assertThat(hub.request("POST", "/api/v1/email", bearer(successor.get("key").asText()), emailFrom("a@shop.example")).statusCode())
                .isEqualTo(202);

        // a key without the list sends as anyone, as before
        String open = bearer(create("unrestricted", "sender").get("key").asText());
        assertThat(hub.request("POST", "/api/v1/email", open, emailFrom("a@anything.example")).statusCode()).isEqualTo(202);
        assertThat(hub.request("POST", "/api/v1/email", open, EMAIL).statusCode()).isEqualTo(202);
    }

    @Test
    void allowedSenderDomainsAreValidated() {
        String many = String.join(", ", java.util.stream.IntStream.range(0, 21).mapToObj(i -> "\"d" + i + ".example\"").toList());
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("[]", "allowedFrom");
        bad.put("\"example.com\"", "allowedFrom");
        bad.put("[" + many + "]", "allowedFrom");
        bad.put("[\"example.com\", \"not a domain\"]", "allowedFrom[1]");
        bad.put("[\"localhost\"]", "allowedFrom[0]");
        bad.put("[\"a@example.com\"]", "allowedFrom[0]");
        bad.put("[\"-bad.example\"]", "allowedFrom[0]");
        bad.put("[\"example.123\"]", "allowedFrom[0]");
        bad.put("[1]", "allowedFrom[0]");
        bad.put("[\"" + "a".repeat(64) + ".example\"]", "allowedFrom[0]");
        for (Map.Entry<String, String> entry : bad.entrySet()) {
            assertNames(createRaw("{\"name\": \"validated\", \"allowedFrom\": " + entry.getKey() + "}"), 400, entry.getValue());
        }
        String twenty = String.join(", ", java.util.stream.IntStream.range(0, 20).mapToObj(i -> "\"d" + i + ".example\"").toList());
        HttpResponse<String> created = createRaw("{\"name\": \"validated\", \"allowedFrom\": [" + twenty + "]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(Json.parse(created.body()).get("allowedFrom")).hasSize(20);
    }

    private static String emailFrom(String from) {
        return "{\"from\": \"" + from + "\", \"to\": \"ann@example.com\", \"subject\": \"Hi\", \"text\": \"Hello\"}";
    }

    private static int messagesOf(String authorization) {
        return Json.parse(hub.request("GET", "/api/v1/messages?limit=100", authorization, null).body()).get("items").size();
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
