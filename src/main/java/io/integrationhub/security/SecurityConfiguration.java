package io.integrationhub.security;

import java.time.Clock;

import io.integrationhub.Settings;
import io.integrationhub.api.HttpErrors;
import io.integrationhub.edge.RequestBodyBudget;
import io.integrationhub.store.Store;
import io.integrationhub.store.StoreConfiguration;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.Service;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig.AuthenticationConfigEntry;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API keys and the guard on {@code /api/*}. The guard is installed into the embedded HTTP server's own
 * authentication chain, so it runs before every platform-http route, including REST routes declared in YAML.
 */
@Configuration
public class SecurityConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(SecurityConfiguration.class);
    public static final String API_PATH = "/api/*";

    @Override
    public void configure(CamelContext camelContext) {
        String adminKey = Settings.optional(camelContext, "hub.admin-key");
        long maxBodyBytes = Settings.number(camelContext, "hub.api.max-body-bytes");
        Store store = StoreConfiguration.store(camelContext);
        ApiKeys keys = new ApiKeys(store, Clock.systemUTC());
        camelContext.getRegistry().bind("apiKeys", ApiKeys.class, keys);
        seed(keys, adminKey);

        ApiKeyAuthenticationHandler handler = new ApiKeyAuthenticationHandler(keys, maxBodyBytes,
                io.integrationhub.Settings.number(camelContext, "files.max-bytes"), RequestBodyBudget.of(camelContext));
        camelContext.getManagementStrategy().addEventNotifier(new CallerOnExchange());
        MainHttpServer existing = camelContext.hasService(MainHttpServer.class);
        if (existing != null) {
            guard(existing, handler);
        }
        camelContext.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onServiceAdd(CamelContext context, Service service, org.apache.camel.Route route) {
                if (service instanceof MainHttpServer server) {
                    guard(server, handler);
                }
            }
        });
        // the router exists once the server has started
        try {
            camelContext.addStartupListener(new StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                    MainHttpServer server = context.hasService(MainHttpServer.class);
                    if (server != null && server.getRouter() != null && !HttpErrors.install(server.getRouter(), maxBodyBytes, context)) {
                        LOG.warn("Could not install problem+json answers for requests the HTTP server refuses");
                    }
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void guard(MainHttpServer server, ApiKeyAuthenticationHandler handler) {
        AuthenticationConfig config = server.getConfiguration().getAuthenticationConfig();
        if (config.getEntries().stream().anyMatch(e -> API_PATH.equals(e.getPath()))) {
            return;
        }
        AuthenticationConfigEntry entry = new AuthenticationConfigEntry();
        entry.setPath(API_PATH);
        entry.setAuthenticationProviderFactory(vertx -> null);
        entry.setAuthenticationHandlerFactory(new AuthenticationConfig.AuthenticationHandlerFactory() {
            @Override
            @SuppressWarnings("unchecked")
            public <T extends io.vertx.ext.auth.authentication.AuthenticationProvider> io.vertx.ext.web.handler.AuthenticationHandler createAuthenticationHandler(T provider) {
                return handler;
            }
        });
        config.getEntries().add(entry);
        config.setEnabled(true);
    }

    /** HUB_ADMIN_KEY wins; otherwise the very first start creates an admin key and prints it, once. */
    private static void seed(ApiKeys keys, String adminKey) {
        if (!adminKey.isBlank()) {
            if (adminKey.length() < 16) {
                throw new IllegalArgumentException("HUB_ADMIN_KEY must be at least 16 characters");
            }
            if (keys.seedEnvironmentAdminKey(adminKey)) {
                LOG.info("Admin key taken from HUB_ADMIN_KEY");
            } else {
                LOG.warn("HUB_ADMIN_KEY was revoked through the API and stays revoked; set a new value to use one");
            }
            return;
        }
        keys.createFirstAdminKeyIfNone().ifPresentOrElse(issued -> System.out.println("""

                ==================================================================================
                  First start: an admin API key was created. It is shown this once only.
                    %s
                  Use it as:  Authorization: Bearer <key>
                ==================================================================================
                """.formatted(issued.value())), keys::reload);
    }
}
