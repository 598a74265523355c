package io.integrationhub.testing;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

/**
 * Everything the test JVM logs (what reaches the root logger's appenders), as text: each event's message and the
 * messages of its exception chain, so a test can check that no secret or unmasked number was written to a log.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

    private LogCapture() {
    }

    /** Starts capturing; {@link #close()} stops. */
    public static LogCapture attach() {
        LogCapture capture = new LogCapture();
        capture.setContext((ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory());
        capture.setName("test-log-capture");
        capture.start();
        root().addAppender(capture);
        return capture;
    }

    /** The lines logged so far that contain any of {@code texts}. */
    public List<String> linesContainingAnyOf(List<String> texts) {
        return lines.stream().filter(line -> texts.stream().anyMatch(line::contains)).toList();
    }

    public void clear() {
        lines.clear();
    }

    @Override
    protected void append(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(event.getLoggerName()).append(": ").append(event.getFormattedMessage());
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
        }
        lines.add(line.toString());
    }

    @Override
    public void close() {
        root().detachAppender(this);
        stop();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
