package io.integrationhub.files;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The files contract on the local provider (files under the hub's files folder, keys in its store). */
class LocalFilesTest extends FilesContractTest {

    @Override
    Map<String, String> provider(Path data) {
        return Map.of("storage.provider", "local");
    }

    @org.junit.jupiter.api.Test
    void aKeyOfExactly1024BytesIsTaken() throws Exception {
        String key = "%c3%a9".repeat(512);
        assertThat(send("PUT", "/api/v1/files/" + key, shop, "ok".getBytes()).statusCode()).isEqualTo(201);
        assertThat(text(send("GET", "/api/v1/files/" + key, shop, null))).isEqualTo("ok");
    }

    @Override
    void assertNothingLeftOf(String app, String key) throws Exception {
        try (var all = Files.list(data.resolve("files").resolve("blobs"))) {
            List<Path> orphans = all.filter(blob -> !named(blob.getFileName().toString())).toList();
            assertThat(orphans).as("blobs no key names").isEmpty();
        }
    }

    private boolean named(String blob) {
        return hub.store().inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT 1 FROM stored_files WHERE blob = ?")) {
                ps.setString(1, blob);
                try (var rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }
}
