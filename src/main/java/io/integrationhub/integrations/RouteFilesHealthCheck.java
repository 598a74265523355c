package io.integrationhub.integrations;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Ready once the YAML route files have been loaded at start: until then their routes (an app's REST API, say) are
 * not there yet, and a request would get a 404. A file that failed to load does not make the hub unready: it is
 * reported in the integrations API while the rest runs.
 */
public class RouteFilesHealthCheck extends AbstractHealthCheck {

    private final RouteFiles routeFiles;

    public RouteFilesHealthCheck(RouteFiles routeFiles) {
        super("hub", "route-files");
        this.routeFiles = routeFiles;
    }

    @Override
    public boolean isReadiness() {
        return true;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (!routeFiles.isLoaded()) {
            builder.message("the route files are being loaded").down();
            return;
        }
        long failed = routeFiles.files().stream().filter(f -> "failed".equals(f.status())).count();
        builder.message(routeFiles.files().size() + " route file(s), " + failed + " failed to load");
        builder.up();
    }
}
