package io.integrationhub.testing;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.matching.StringValuePattern;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;

/**
 * Twilio's Messages API as WireMock plays it for the tests: an obviously fake account, the settings that point a
 * hub at it, its documented 201 answer, and the form fields of the requests it received.
 */
public final class FakeTwilio {

    /** {@code AC} and 32 hex digits, as the hub checks at start; not a real account. */
    public static final String ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
    public static final String AUTH_TOKEN = "test-twilio-token-not-a-secret";
    public static final String FROM = "+14155552671";
    public static final String PATH = "/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages.json";

    private FakeTwilio() {
    }

    /**
     * A WireMock server with threads enough that every concurrent request is answered at once, also when the
     * answers are delayed (the default pool would queue a burst of slow answers behind each other).
     */
    public static WireMockServer start() {
        WireMockServer server = new WireMockServer(WireMockConfiguration.options().dynamicPort().containerThreads(80));
        server.start();
        return server;
    }

    /** What makes a hub send SMS through Twilio at {@code baseUrl}, its throttle out of the way. */
    public static Map<String, String> settings(String baseUrl) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("sms.provider", "twilio");
        settings.put("twilio.base-url", baseUrl);
        settings.put("twilio.account-sid", ACCOUNT_SID);
        settings.put("twilio.auth-token", AUTH_TOKEN);
        settings.put("twilio.phone-number", FROM);
        settings.put("sms.twilio.rate", "1000");
        return settings;
    }

    public static Map<String, String> settings(WireMockServer server) {
        return settings("http://localhost:" + server.port());
    }

    /** Twilio's 201 for a queued message. */
    public static ResponseDefinitionBuilder queued(String sid) {
        return aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                .withBody("{\"sid\": \"" + sid + "\", \"status\": \"queued\", \"account_sid\": \"" + ACCOUNT_SID + "\"}");
    }

    /** Matches a request body whose {@code To} is the number (form-encoded, so {@code +} is {@code %2B}). */
    public static StringValuePattern to(String number) {
        return containing("To=" + URLEncoder.encode(number, StandardCharsets.UTF_8));
    }

    /** The form fields of a request (the last value of a repeated name). */
    public static Map<String, String> form(LoggedRequest request) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : request.getBodyAsString().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    /** Every message request Twilio received, oldest first. */
    public static List<LoggedRequest> requests(WireMockServer server) {
        return ProviderStubs.posts(server, PATH);
    }

    /** How many requests Twilio received per SMS {@code Body}. */
    public static Map<String, Integer> requestsPerBody(WireMockServer server) {
        Map<String, Integer> counts = new HashMap<>();
        for (LoggedRequest request : requests(server)) {
            counts.merge(form(request).getOrDefault("Body", ""), 1, Integer::sum);
        }
        return counts;
    }
}
