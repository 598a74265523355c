package io.integrationhub.testing;

import java.util.Comparator;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

/** A provider's HTTP API played by WireMock: answers in sequence, and the requests it received, in order. */
public final class ProviderStubs {

    private ProviderStubs() {
    }

    /** A WireMock server on a free port, already started; the test stops it. */
    public static WireMockServer start() {
        WireMockServer server = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        server.start();
        return server;
    }

    /**
     * POSTs to {@code path} get the responses in turn; the last one answers every request after it. Each path gets
     * its own scenario, so two providers on one server keep separate sequences.
     */
    public static void answerInTurn(WireMockServer server, String path, ResponseDefinitionBuilder... responses) {
        String scenario = "sequence " + path;
        for (int i = 0; i < responses.length; i++) {
            ScenarioMappingBuilder stub = post(urlEqualTo(path)).inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "answer " + i)
                    .willReturn(responses[i]);
            if (i < responses.length - 1) {
                stub = stub.willSetStateTo("answer " + (i + 1));
            }
            server.stubFor(stub);
        }
    }

    /** Every POST the server received on {@code path}, oldest first. */
    public static List<LoggedRequest> posts(WireMockServer server, String path) {
        return server.findAll(postRequestedFor(urlEqualTo(path))).stream()
                .sorted(Comparator.comparing(LoggedRequest::getLoggedDate)).toList();
    }

    /** Milliseconds between the receipt of two requests. */
    public static long millisBetween(LoggedRequest first, LoggedRequest second) {
        return second.getLoggedDate().getTime() - first.getLoggedDate().getTime();
    }
}
