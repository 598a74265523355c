package io.integrationhub.files;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

import io.integrationhub.Settings;
import io.integrationhub.store.Store;
import io.integrationhub.store.StoreConfiguration;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.slf4j.LoggerFactory;

/** Files: the storage provider named by {@code STORAGE_PROVIDER}, checked at start. */
@Configuration
public class FilesConfiguration implements CamelConfiguration {

    public static final List<String> PROVIDERS = List.of("local");
    public static final String STORAGE_BEAN = "fileStorage";

    @Override
    public void configure(CamelContext camelContext) {
        String name = Settings.get(camelContext, "storage.provider").toLowerCase(Locale.ROOT);
        if (!PROVIDERS.contains(name)) {
            throw new IllegalArgumentException("STORAGE_PROVIDER must be one of " + PROVIDERS + ", not '" + name + "'");
        }
        Store store = StoreConfiguration.store(camelContext);
        String publicUrl = Settings.optional(camelContext, "hub.public-url");
        LocalFiles local = new LocalFiles(store, Clock.systemUTC(), Path.of(Settings.get(camelContext, "files.local-folder")),
                publicUrl.isEmpty() ? "http://localhost:" + Settings.get(camelContext, "hub.port") : publicUrl,
                FileSignatures.of(store, Clock.systemUTC()));
        int removed = local.removeLeftovers();
        if (removed > 0) {
            LoggerFactory.getLogger(FilesConfiguration.class).info("Removed {} unfinished upload(s) from the files folder", removed);
        }
        camelContext.getRegistry().bind(STORAGE_BEAN, FileStorage.class, local);
    }
}
