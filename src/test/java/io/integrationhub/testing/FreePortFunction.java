package io.integrationhub.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.spi.PropertiesFunction;

/**
 * The property function {@code {{free-port:<name>}}}: a free TCP port, chosen the first time a name is asked for and
 * the same for that name afterwards, so that a {@code @CamelMainTest}, whose properties are constants, can run its
 * hub on a free port ({@code "hub.port={{free-port:my-test}}"}) and the test can call it ({@link #port(String)}).
 * Camel finds it through {@code META-INF/services/org/apache/camel/properties-function/free-port}.
 */
public final class FreePortFunction implements PropertiesFunction {

    private static final Map<String, Integer> PORTS = new ConcurrentHashMap<>();

    /** The port for {@code name}: the one {@code {{free-port:<name>}}} resolves to. */
    public static int port(String name) {
        return PORTS.computeIfAbsent(name, n -> TestHub.freePort());
    }

    @Override
    public String getName() {
        return "free-port";
    }

    @Override
    public String apply(String name) {
        return String.valueOf(port(name));
    }
}
