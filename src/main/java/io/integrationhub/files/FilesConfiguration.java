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

    public static final List<String> PROVIDERS = List.of("local", "s3");
    public static final String STORAGE_BEAN = "fileStorage";

    @Override
    public void configure(CamelContext camelContext) {
        String name = Settings.get(camelContext, "storage.provider").toLowerCase(Locale.ROOT);
        if (!PROVIDERS.contains(name)) {
            throw new IllegalArgumentException("STORAGE_PROVIDER must be one of " + PROVIDERS + ", not '" + name + "'");
        }
        Store store = StoreConfiguration.store(camelContext);
        Path folder = Path.of(Settings.get(camelContext, "files.local-folder"));
        emptySpool(folder.resolve("spool"));
        if (name.equals("s3")) {
            camelContext.getRegistry().bind(STORAGE_BEAN, FileStorage.class, s3(camelContext, folder));
            return;
        }
        String publicUrl = Settings.optional(camelContext, "hub.public-url");
        LocalFiles local = new LocalFiles(store, Clock.systemUTC(), folder,
                publicUrl.isEmpty() ? "http://localhost:" + Settings.get(camelContext, "hub.port") : publicUrl,
                FileSignatures.of(store, Clock.systemUTC()));
        int removed = local.removeLeftovers();
        if (removed > 0) {
            LoggerFactory.getLogger(FilesConfiguration.class).info("Removed {} unfinished upload(s) from the files folder", removed);
        }
        camelContext.getRegistry().bind(STORAGE_BEAN, FileStorage.class, local);
    }

    /** Request bodies the server spooled for uploads that a crash cut off: nobody will read them. */
    private static void emptySpool(Path spool) {
        if (!java.nio.file.Files.isDirectory(spool)) {
            return;
        }
        try (var files = java.nio.file.Files.walk(spool)) {
            files.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(spool)).forEach(p -> {
                try {
                    java.nio.file.Files.deleteIfExists(p);
                } catch (java.io.IOException e) {
                    LoggerFactory.getLogger(FilesConfiguration.class).warn("Could not remove {}: {}", p, e.toString());
                }
            });
        } catch (java.io.IOException e) {
            LoggerFactory.getLogger(FilesConfiguration.class).warn("Could not empty the spool folder: {}", e.toString());
        }
    }

    /**
     * S3 or an S3-compatible store: {@code S3_BUCKET}, {@code S3_REGION}, {@code S3_ENDPOINT} (then path-style), the
     * credentials from {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY} or else the SDK's default chain.
     */
    private static S3Files s3(CamelContext camelContext, Path folder) {
        String bucket = Settings.optional(camelContext, "s3.bucket");
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("STORAGE_PROVIDER=s3 needs S3_BUCKET");
        }
        software.amazon.awssdk.regions.Region region = software.amazon.awssdk.regions.Region.of(
                Settings.get(camelContext, "s3.region"));
        String endpoint = Settings.optional(camelContext, "s3.endpoint");
        String accessKey = Settings.optional(camelContext, "aws.access-key-id");
        String secretKey = Settings.optional(camelContext, "aws.secret-access-key");
        software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials = accessKey.isEmpty()
                ? software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider.builder().build()
                : software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(accessKey, secretKey));
        software.amazon.awssdk.services.s3.S3Configuration pathStyle = software.amazon.awssdk.services.s3.S3Configuration
                .builder().pathStyleAccessEnabled(!endpoint.isEmpty()).build();
        var client = software.amazon.awssdk.services.s3.S3Client.builder().region(region).credentialsProvider(credentials)
                .serviceConfiguration(pathStyle)
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(java.time.Duration.ofMillis(
                        Settings.number(camelContext, "http.response-timeout-ms"))));
        var presigner = software.amazon.awssdk.services.s3.presigner.S3Presigner.builder().region(region)
                .credentialsProvider(credentials).serviceConfiguration(pathStyle);
        if (!endpoint.isEmpty()) {
            client.endpointOverride(java.net.URI.create(endpoint));
            presigner.endpointOverride(java.net.URI.create(endpoint));
        }
        software.amazon.awssdk.services.s3.S3Client s3 = client.build();
        camelContext.getRegistry().bind("hubS3Client", software.amazon.awssdk.services.s3.S3Client.class, s3);
        return new S3Files(s3, presigner.build(), bucket, camelContext.createProducerTemplate(),
                Settings.number(camelContext, "s3.part-size"), folder.resolve("tmp"));
    }
}
