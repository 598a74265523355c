package io.integrationhub.api.docs;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documentation only: describes a JSON body to /openapi.json (the routes read and write JSON themselves). */
@Schema(name = "Integrations", description = "The route files and the configured providers")
public class Integrations {
    @Schema(description = "The folder of the YAML route files (HUB_ROUTES_DIR)")
    public String routesFolder;
    @Schema(description = "Whether changed files are reloaded while the hub runs (HUB_ROUTES_RELOAD)")
    public boolean reload;
    @Schema(description = "When a file was last applied or refused, ISO-8601")
    public String lastReloadAt;
    public List<RouteFile> files;
    public List<Provider> providers;
    public List<Sync> syncs;

    @Schema(name = "Sync", description = "A scheduled sync and its latest runs (newest first, at most 10)")
    public static class Sync {
        public String name;
        public SyncRun lastRun;
        public List<SyncRun> runs;
    }

    @Schema(name = "SyncRun", description = "One run of a sync")
    public static class SyncRun {
        public String id;
        @Schema(allowableValues = {"running", "finished", "failed"})
        public String status;
        @Schema(description = "Records read")
        public int total;
        @Schema(description = "Records the route took")
        public int synced;
        @Schema(description = "Records the route failed on (the run went on)")
        public int errors;
        @Schema(description = "Why a failed run stopped (a page that could not be read)")
        public String error;
        public String startedAt;
        public String finishedAt;
        @Schema(description = "The hub that ran it")
        public String hub;
    }

    @Schema(name = "RouteFile", description = "A YAML route file: loaded, or failed with the error and its line")
    public static class RouteFile {
        public String file;
        @Schema(allowableValues = {"loaded", "failed"})
        public String status;
        @Schema(description = "The routes running from it (for a failed change: the previous version's)")
        public List<RouteState> routes;
        @Schema(description = "Why its last change was not applied")
        public String error;
        @Schema(description = "The line of the error in the file, when known")
        public Integer line;
        public String loadedAt;
        public String changedAt;
    }

    @Schema(name = "RouteState", description = "A route and its state")
    public static class RouteState {
        public String id;
        @Schema(description = "Started, Stopped, ...")
        public String state;
        @Schema(description = "Where it starts (without query parameters)")
        public String from;
    }

    @Schema(name = "Provider", description = "A configured provider: its breaker, rate and calls")
    public static class Provider {
        public String channel;
        @Schema(description = "The provider, as in metrics and messages (email-smtp, sms-twilio, ...)")
        public String provider;
        @Schema(allowableValues = {"CLOSED", "OPEN", "HALF_OPEN", "FORCED_OPEN", "DISABLED"})
        public String breaker;
        @Schema(description = "The breaker's failure rate over its window, percent (-1 before it has enough calls)")
        public double failureRate;
        @Schema(description = "Requests per second allowed to the provider")
        public Double ratePerSecond;
        @Schema(description = "Calls since the start")
        public long calls;
        @Schema(description = "Failed calls since the start")
        public long failedCalls;
        @Schema(description = "Mean call time since the start, milliseconds")
        public Double meanMillis;
        @Schema(description = "Longest recent call time, milliseconds")
        public Double maxMillis;
    }
}
