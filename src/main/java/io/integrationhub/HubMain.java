package io.integrationhub;

import org.apache.camel.main.Main;
import org.slf4j.LoggerFactory;

/**
 * Starts the hub. Everything else is configuration: beans come from the {@code @Configuration} classes and route
 * builders found in this package, tunables from {@code application.properties} in the working directory (falling
 * back to the copy on the classpath) and from environment variables, which override both.
 */
public final class HubMain {

    public static final String PROPERTY_LOCATIONS =
            "file:application.properties;optional=true,classpath:application.properties;optional=true";

    private HubMain() {
    }

    public static void main(String... args) throws Exception {
        Main main = new Main(HubMain.class);
        main.setPropertyPlaceholderLocations(PROPERTY_LOCATIONS);
        try {
            main.run(args);
        } catch (Exception e) {
            // a hub that could not start (its port taken, a bad setting) must not linger half-started: exit non-zero
            // so a supervisor sees it
            LoggerFactory.getLogger(HubMain.class).error("The hub could not start: {}", String.valueOf(e.getMessage()));
            System.exit(1);
        }
    }
}
