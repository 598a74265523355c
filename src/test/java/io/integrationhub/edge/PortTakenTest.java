package io.integrationhub.edge;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.integrationhub.testing.HubProcess;
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
            Process hub = HubProcess.start(port, dir, TestHub.ADMIN_KEY, log, Map.of());
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
