package io.integrationhub.edge;

import java.io.IOException;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * A client that connects and resets the connection before its first byte reaches Netty while the server still
 * tells HTTP/1.1 from h2c: no Vert.x handler is in the pipeline yet, and Netty warns that the exception reached the
 * pipeline's tail, with a stack trace. A client hanging up is no fault of the hub's: logged at DEBUG instead.
 */
final class ClientHangUps extends TurboFilter {

    private static final String NETTY_PIPELINE = "io.netty.channel.DefaultChannelPipeline";
    private static final Logger LOG = LoggerFactory.getLogger(ClientHangUps.class);

    private ClientHangUps() {
    }

    /** Installs the filter once per logging context (several hubs may run in one JVM, in tests). */
    static void install() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
                && context.getTurboFilterList().stream().noneMatch(ClientHangUps.class::isInstance)) {
            ClientHangUps filter = new ClientHangUps();
            filter.setContext(context);
            filter.start();
            context.addTurboFilter(filter);
        }
    }

    @Override
    public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level, String format,
            Object[] params, Throwable t) {
        if (t instanceof IOException && level.isGreaterOrEqual(Level.WARN) && NETTY_PIPELINE.equals(logger.getName())) {
            LOG.debug("A client hung up: {}", t.toString());
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }
}
