package io.integrationhub.edge;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.integrationhub.HubMain;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** A hub whose HTTP port is taken exits non-zero, naming the port, instead of running on without its server. */
class PortTakenTest {

    @TempDir
    Path dir;

    @Test
    void aHubWhosePortIsTakenExitsNonZero() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
            int port = taken.getLocalPort();
            Path log = dir.resolve("hub.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    HubMain.class.getName());
            builder.directory(new File(System.getProperty("user.dir")));
            Map<String, String> env = builder.environment();
            env.put("HUB_PORT", String.valueOf(port));
            env.put("DB_URL", "jdbc:sqlite:" + dir.resolve("hub.db").toAbsolutePath());
            env.put("HUB_ADMIN_KEY", TestHub.ADMIN_KEY);
            builder.redirectErrorStream(true);
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Process hub = builder.start();
            try {
                assertThat(hub.waitFor(60, TimeUnit.SECONDS)).as("the hub exited").isTrue();
                assertThat(hub.exitValue()).isNotZero();
                assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("could not listen on 0.0.0.0:" + port);
            } finally {
                hub.destroyForcibly();
            }
        }
    }
}
