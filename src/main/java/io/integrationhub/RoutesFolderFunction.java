package io.integrationhub;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.spi.PropertiesFunction;

/**
 * The property function {@code {{hub-routes:<folder>}}}: the pattern of the YAML routes in a folder
 * ({@code file:<folder>/*.camel.yaml}), or, when the folder does not exist, one that matches nothing, so that a hub
 * started from a folder without {@code routes/} starts with no YAML routes instead of failing. The folder is
 * {@code hub.routes-dir} ({@code HUB_ROUTES_DIR}), relative to the working directory. Camel finds this function
 * through {@code META-INF/services/org/apache/camel/properties-function/hub-routes}.
 */
public final class RoutesFolderFunction implements PropertiesFunction {

    /** A classpath folder the hub never ships: scanning it finds no routes and is no error. */
    static final String NO_ROUTES = "classpath:io/integrationhub/no-yaml-routes/*.camel.yaml";

    @Override
    public String getName() {
        return "hub-routes";
    }

    @Override
    public String apply(String folder) {
        Path dir = Path.of(folder.trim());
        if (!Files.isDirectory(dir)) {
            return NO_ROUTES;
        }
        // forward slashes: Camel's resource patterns are URIs
        return "file:" + dir.toAbsolutePath().normalize().toString().replace('\\', '/') + "/*.camel.yaml";
    }
}
