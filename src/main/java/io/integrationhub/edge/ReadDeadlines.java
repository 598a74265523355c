package io.integrationhub.edge;

import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read deadlines on one HTTP/1.x connection, first in its Netty pipeline: the raw bytes of a request start the
 * header deadline; the request reaching the router ends it and, when a body is still to come, starts the body
 * deadline, which ends when the body has been read. A deadline that passes closes the connection, so a client that
 * sends its headers or its body a byte at a time cannot hold a connection (and its memory) for long. A connection
 * that sends nothing at all is closed by the server's idle timeout.
 */
final class ReadDeadlines extends ChannelDuplexHandler {

    static final String NAME = "hub-read-deadlines";
    private static final Logger LOG = LoggerFactory.getLogger(ReadDeadlines.class);

    private enum Phase { IDLE, HEADERS, BODY }

    private final long headerMillis;
    private final long bodyMillis;
    private ChannelHandlerContext context;
    private Phase phase = Phase.IDLE;
    private ScheduledFuture<?> deadline;

    ReadDeadlines(long headerMillis, long bodyMillis) {
        this.headerMillis = headerMillis;
        this.bodyMillis = bodyMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.context = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (phase == Phase.IDLE && msg instanceof ByteBuf bytes && bytes.isReadable()) {
            phase = Phase.HEADERS;
            arm(headerMillis, "headers");
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) throws Exception {
        if (phase == Phase.HEADERS) {
            // an answer to a request the server could not read (400, 414, 431): nothing more to wait for
            done();
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    /** The request line and headers have been read; {@code bodyPending}: its body has not all arrived yet. */
    void requestReceived(boolean bodyPending) {
        cancel();
        if (bodyPending) {
            phase = Phase.BODY;
            arm(bodyMillis, "body");
        } else {
            phase = Phase.IDLE;
        }
    }

    /** The whole request has been read. */
    void done() {
        cancel();
        phase = Phase.IDLE;
    }

    private void arm(long millis, String what) {
        cancel();
        deadline = context.executor().schedule(() -> {
            LOG.debug("Closed a connection from {}: its request {} took longer than {} ms", context.channel().remoteAddress(),
                    what, millis);
            context.close();
        }, millis, TimeUnit.MILLISECONDS);
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
