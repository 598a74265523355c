package io.integrationhub.integrations;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.integrationhub.ContextEvents;
import io.integrationhub.Settings;
import io.integrationhub.webhooks.WebhookConfiguration;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.spi.CamelEvent;
import org.slf4j.LoggerFactory;

/**
 * The YAML integrations: the route files (loaded once the hub has started, then watched) and what their routes
 * call besides the hub's routes (the {@code format} bean).
 */
@Configuration
public class IntegrationsConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) {
        camelContext.getRegistry().bind(Formats.BEAN, Formats.class, new Formats());
        camelContext.getRegistry().bind(Checks.BEAN, Checks.class, new Checks());
        // to("http-api:<name>?baseUrl=..."): any HTTP API through the guard of the built-in providers
        camelContext.getRegistry().bind(HttpApiComponent.SCHEME, org.apache.camel.Component.class, new HttpApiComponent());
        RouteFiles routeFiles = new RouteFiles(camelContext, Path.of(Settings.get(camelContext, "hub.routes-dir")),
                Clock.systemUTC());
        camelContext.getRegistry().bind(RouteFiles.BEAN, RouteFiles.class, routeFiles);

        boolean reload = Boolean.parseBoolean(Settings.get(camelContext, "hub.routes-reload"));
        long interval = Settings.number(camelContext, "hub.routes-reload-interval-ms");
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "hub-routes-watcher");
            thread.setDaemon(true);
            return thread;
        });
        ContextEvents.listen(camelContext, event -> {
            if (event instanceof CamelEvent.CamelContextStartedEvent) {
                // every route file, then the webhook subscribers among their routes get events
                routeFiles.scan();
                WebhookConfiguration.subscribersStarted(camelContext);
                if (reload) {
                    watcher.scheduleWithFixedDelay(() -> {
                        try {
                            routeFiles.scan();
                        } catch (RuntimeException e) {
                            LoggerFactory.getLogger(RouteFiles.class).error("Watching {} failed", routeFiles.folder(), e);
                        }
                    }, interval, interval, TimeUnit.MILLISECONDS);
                    LoggerFactory.getLogger(RouteFiles.class).info("Watching {} for changed integrations",
                            routeFiles.folder());
                }
            } else if (event instanceof CamelEvent.CamelContextStoppingEvent) {
                watcher.shutdownNow();
            }
        });
    }
}
