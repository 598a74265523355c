package io.integrationhub.integrations;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.integrationhub.Settings;
import io.integrationhub.api.ApiDocs;
import io.integrationhub.api.ApiErrorHandling;
import io.integrationhub.api.ApiProblem;
import io.integrationhub.api.RequestParameters;
import io.integrationhub.api.docs.ConnectionTest;
import io.integrationhub.api.JsonResponses;
import io.integrationhub.api.docs.Integrations;
import io.integrationhub.delivery.CircuitBreakers;
import io.integrationhub.security.Callers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Route;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.util.URISupport;

/**
 * {@code GET /api/v1/integrations} (admin keys only): every YAML route file (loaded or failed, its routes and their
 * state, the error with its line, the last reload) and every configured provider (its breaker, rate, calls and
 * call times).
 */
public class IntegrationRoutes extends RouteBuilder {

    @Override
    public void configure() {
        RouteFiles routeFiles = getContext().getRegistry().lookupByNameAndType(RouteFiles.BEAN, RouteFiles.class);
        boolean reload = Boolean.parseBoolean(Settings.get(getContext(), "hub.routes-reload"));
        // not ready until the route files are loaded (their REST routes would answer 404 meanwhile)
        org.apache.camel.health.HealthCheckRegistry health = org.apache.camel.health.HealthCheckRegistry.get(getContext());
        if (health != null) {
            health.register(new RouteFilesHealthCheck(routeFiles));
        }

        ApiDocs.answers(ApiDocs.bearer(rest("/api/v1/integrations").description("The integrations (admin keys only)"))
                    .get().id("rest-integrations").produces("application/json")
                    .description("The YAML route files (loaded or failed, with the error's line) and the configured "
                            + "providers (breaker, rate, calls)"),
                200, "The integrations", Integrations.class, 401, 403, 503)
                    .to("direct:api-integrations");

        ConnectionTests connections = new ConnectionTests(getContext());
        ApiDocs.answers(ApiDocs.bearer(rest("/api/v1/integrations/{provider}/test")
                        .description("The integrations (admin keys only)"))
                    .post().id("rest-integrations-test").produces("application/json")
                    .description("Make the provider's lightweight authenticated call (Twilio: the account; SendGrid: "
                            + "the key's scopes; Resend: the domains; SMTP: connect and log in) and say whether the "
                            + "credentials work; they are never echoed")
                    .param().name("provider").type(org.apache.camel.model.rest.RestParamType.path).required(true)
                        .dataType("string").allowableValues(ConnectionTests.PROVIDERS)
                        .description("twilio, sendgrid, resend or smtp").endParam(),
                200, "The outcome: ok, or refused (the credentials), unreachable or error", ConnectionTest.class,
                401, 403, 404, 503)
                    .to("direct:api-integrations-test");

        from("direct:api-integrations-test").routeId("api-integrations-test").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    Callers.requireAdmin(e);
                    String provider = RequestParameters.path(e, "/api/v1/integrations/{provider}/test", "provider");
                    if (provider == null || !ConnectionTests.PROVIDERS.contains(provider)) {
                        throw new ApiProblem(404, "Not found", "no provider can be tested under this name; one of "
                                + ConnectionTests.PROVIDERS);
                    }
                    try {
                        JsonResponses.respond(e, 200, connections.test(provider).view());
                    } catch (ConnectionTests.NotConfigured none) {
                        throw new ApiProblem(404, "Not found", none.getMessage());
                    }
                });

        from("direct:api-integrations").routeId("api-integrations").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    Callers.requireAdmin(e);
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("routesFolder", routeFiles.folder().toString());
                    body.put("reload", reload);
                    body.put("lastReloadAt", routeFiles.lastReloadAt() == null ? null : routeFiles.lastReloadAt().toString());
                    body.put("files", routeFiles.files().stream().map(this::view).toList());
                    body.put("providers", providers());
                    body.put("syncs", syncs());
                    JsonResponses.respond(e, 200, body);
                });
    }

    private Map<String, Object> view(RouteFiles.FileState file) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("file", file.file());
        view.put("status", file.status());
        List<Map<String, Object>> routes = new ArrayList<>();
        for (String id : file.routeIds()) {
            Route route = getContext().getRoute(id);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", id);
            r.put("state", String.valueOf(getContext().getRouteController().getRouteStatus(id)));
            r.put("from", route == null ? null : URISupport.sanitizeUri(route.getEndpoint().getEndpointBaseUri()));
            routes.add(r);
        }
        view.put("routes", routes);
        view.put("error", file.error());
        view.put("line", file.line());
        view.put("loadedAt", file.loadedAt() == null ? null : file.loadedAt().toString());
        view.put("changedAt", file.changedAt() == null ? null : file.changedAt().toString());
        return view;
    }

    private List<Map<String, Object>> providers() {
        CircuitBreakers breakers = getContext().getRegistry().lookupByNameAndType(CircuitBreakers.BEAN, CircuitBreakers.class);
        List<Map<String, Object>> providers = new ArrayList<>();
        if (breakers == null) {
            return providers;
        }
        List<CircuitBreaker> all = new ArrayList<>(breakers.registry().getAllCircuitBreakers());
        all.sort(java.util.Comparator.comparing(CircuitBreaker::getName));
        for (CircuitBreaker breaker : all) {
            String name = breaker.getName();
            int dash = name.indexOf('-');
            String channel = dash < 0 ? name : name.substring(0, dash);
            String provider = dash < 0 ? name : name.substring(dash + 1);
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("channel", channel);
            p.put("provider", name);
            p.put("breaker", breaker.getState().name());
            p.put("failureRate", (double) breaker.getMetrics().getFailureRate());
            String rate = Settings.optional(getContext(), channel + "." + provider + ".rate");
            p.put("ratePerSecond", rate.isEmpty() ? null : Double.valueOf(rate));
            Timer timer = routeTimer(name);
            p.put("calls", timer == null ? 0 : timer.count());
            p.put("failedCalls", failures(name));
            p.put("meanMillis", timer == null || timer.count() == 0 ? null : round(timer.mean(TimeUnit.MILLISECONDS)));
            p.put("maxMillis", timer == null || timer.count() == 0 ? null : round(timer.max(TimeUnit.MILLISECONDS)));
            providers.add(p);
        }
        return providers;
    }

    /** Every sync a route starts from: its last runs, newest first. */
    private List<Map<String, Object>> syncs() {
        io.integrationhub.sync.SyncRuns runs = getContext().getRegistry()
                .lookupByNameAndType(io.integrationhub.sync.SyncRuns.BEAN, io.integrationhub.sync.SyncRuns.class);
        List<Map<String, Object>> syncs = new ArrayList<>();
        if (runs == null) {
            return syncs;
        }
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (Route route : getContext().getRoutes()) {
            if (route.getEndpoint() instanceof io.integrationhub.sync.SyncEndpoint sync) {
                names.add(sync.getName());
            }
        }
        for (String name : names) {
            Map<String, Object> sync = new LinkedHashMap<>();
            sync.put("name", name);
            List<Map<String, Object>> recent = runs.runs(name, 10);
            sync.put("lastRun", recent.isEmpty() ? null : recent.get(0));
            sync.put("runs", recent);
            syncs.add(sync);
        }
        return syncs;
    }

    /** The route policy's timer of the provider's route (the route is named after the provider). */
    private Timer routeTimer(String routeId) {
        for (MeterRegistry registry : getContext().getRegistry().findByType(MeterRegistry.class)) {
            Timer timer = registry.find("camel.route.policy").tag("routeId", routeId).timer();
            if (timer != null) {
                return timer;
            }
        }
        return null;
    }

    private long failures(String routeId) {
        for (MeterRegistry registry : getContext().getRegistry().findByType(MeterRegistry.class)) {
            var counter = registry.find("camel.exchanges.failed").tag("routeId", routeId).counter();
            if (counter != null) {
                return (long) counter.count();
            }
        }
        return 0;
    }

    private static double round(double millis) {
        return Math.round(millis * 100) / 100.0;
    }
}
