package io.integrationhub.files;

import java.nio.file.Path;
import java.util.Map;

import org.gaul.s3proxy.junit.S3ProxyJunitCore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The files contract on the S3 provider, against S3Proxy started here: a real S3 API (signatures checked, presigned
 * URLs verified), on a folder of its own.
 */
class S3FilesTest extends FilesContractTest {

    static final String BUCKET = "hub-files";
    private S3ProxyJunitCore s3proxy;
    private S3Client s3;

    @Override
    Map<String, String> provider(Path data) throws Exception {
        s3proxy = new S3ProxyJunitCore.Builder().withCredentials("hub-access-key", "hub-secret-key-not-a-secret").build();
        s3proxy.beforeEach();
        s3 = S3Client.builder().region(Region.US_EAST_1).endpointOverride(s3proxy.getUri()).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3proxy.getAccessKey(),
                        s3proxy.getSecretKey()))).build();
        s3.createBucket(b -> b.bucket(BUCKET));
        return Map.of("storage.provider", "s3", "s3.bucket", BUCKET, "s3.endpoint", s3proxy.getUri().toString(),
                "s3.region", "us-east-1", "aws.access-key-id", s3proxy.getAccessKey(),
                "aws.secret-access-key", s3proxy.getSecretKey(), "s3.part-size", String.valueOf(5 * 1024 * 1024));
    }

    @org.junit.jupiter.api.Test
    void aKeyTooLongForS3WithItsAppIsRefused() throws Exception {
        String key = "k".repeat(1020);
        var response = send("PUT", "/api/v1/files/" + key, shop, "x".getBytes());
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(text(response)).contains("\"field\":\"key\"").contains("at most 1024 bytes");
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("shop/kkkk")).contents()).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void theConnectionTestReachesTheBucket() {
        var response = hub.request("POST", "/api/v1/integrations/s3/test", io.integrationhub.testing.TestHub.ADMIN, "");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"ok\":true").doesNotContain(s3proxy.getSecretKey());
    }

    @org.junit.jupiter.api.Test
    void credentialsS3RefusesAreA502ThatNeverEchoesThem(@org.junit.jupiter.api.io.TempDir Path other) throws Exception {
        String wrongSecret = "wrong-secret-that-must-not-leak-0123";
        Map<String, String> settings = new java.util.HashMap<>(Map.of("storage.provider", "s3", "s3.bucket", BUCKET,
                "s3.endpoint", s3proxy.getUri().toString(), "aws.access-key-id", s3proxy.getAccessKey(),
                "aws.secret-access-key", wrongSecret, "files.local-folder", other.resolve("files").toString()));
        try (io.integrationhub.testing.LogCapture logs = io.integrationhub.testing.LogCapture.attach();
             io.integrationhub.testing.TestHub refused = io.integrationhub.testing.TestHub.start(other, settings)) {
            var response = refused.request("PUT", "/api/v1/files/denied/a.txt", io.integrationhub.testing.TestHub.ADMIN, "x");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(502);
            assertThat(response.body()).contains("refused the hub's credentials").doesNotContain(wrongSecret);
            assertThat(logs.linesContainingAnyOf(java.util.List.of(wrongSecret))).isEmpty();
        }
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("hub_admin_key/denied/")).contents()).isEmpty();
    }

    @Override
    void stopProvider() {
        if (s3 != null) {
            s3.close();
        }
        if (s3proxy != null) {
            s3proxy.afterEach();
        }
    }

    @Override
    void assertNothingLeftOf(String app, String key) {
        assertThatThrownBy(() -> s3.headObject(b -> b.bucket(BUCKET).key(app + "/" + key)))
                .isInstanceOf(software.amazon.awssdk.services.s3.model.S3Exception.class);
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(app + "/" + key)).contents()).isEmpty();
    }

}
