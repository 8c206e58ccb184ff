package dev.vos.client.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Netty's NIO transport, unmodified, nothing of vos in it: run in a child JVM with and without the net domain's
 * provider. Two servers on one {@code NioIoHandler} group (two event loops) on 127.0.0.1: an HTTP server
 * ({@code HttpServerCodec} and an aggregator, keep-alive as the request asks, options set on each connection) and an
 * echo server that allows half closure (at the client's end of input it flushes the echo, shuts its output and then
 * closes). Prints the provider, the two ports, what Netty's own HTTP client fetched from the server
 * ({@link NettyHttpFetch}) and "ready"; serves until a request for {@code /quit}, shuts down gracefully and prints
 * what it served; the JVM then ends by itself, its event loop threads being over.
 *
 * <p>HTTP: {@code GET /fixed/...} a fixed text naming the path; {@code GET /big} {@link HttpTraffic#BIG_BYTES} of
 * a known pattern; {@code GET /file} a file of {@link #FILE_BYTES} of it as a {@code FileRegion}; {@code POST /echo}
 * the body back; {@code GET /options} the connection's options as Netty reads them; {@code GET /close} answered
 * with {@code Connection: close}, and the server closes. No {@code Date} header: the responses of two runs are the
 * same bytes.
 */
public final class NettyServersMain {

    /** The size of the file /file sends: more than a socket buffer, not a multiple of a page. */
    static final int FILE_BYTES = 3 * 1024 * 1024 + 17;

    private static final AtomicInteger HTTP_REQUESTS = new AtomicInteger();
    private static final AtomicInteger OPENED = new AtomicInteger();
    private static final AtomicInteger CLOSED = new AtomicInteger();
    private static final AtomicInteger ECHOED_BYTES = new AtomicInteger();
    /** The ends of input the echo connections were told of: one each. */
    private static final AtomicInteger INPUT_ENDS = new AtomicInteger();
    /** The classes of what the handlers were told of (a reset connection's read), counted. */
    private static final Map<String, Integer> CAUGHT = new ConcurrentSkipListMap<>();

    private NettyServersMain() {
    }

    public static void main(final String[] args) throws Exception {
        final CountDownLatch quit = new CountDownLatch(1);
        final File file = File.createTempFile("netty-served", ".bin");
        file.deleteOnExit();
        Files.write(file.toPath(), HttpTraffic.pattern(FILE_BYTES));
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            final InetAddress loopback = InetAddress.getLoopbackAddress();
            final Channel http = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 128).option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true).childOption(ChannelOption.IP_TOS, 0x10)
                    .childOption(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(final SocketChannel ch) {
                            ch.pipeline().addLast(new Counting(), new HttpServerCodec(),
                                    new HttpObjectAggregator(HttpTraffic.BIG_BYTES), new HttpHandler(quit, file));
                        }
                    }).bind(new InetSocketAddress(loopback, 0)).sync().channel();
            final Channel echo = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(final SocketChannel ch) {
                            ch.pipeline().addLast(new Counting(), new EchoHandler());
                        }
                    }).bind(new InetSocketAddress(loopback, 0)).sync().channel();
            System.out.println("provider=" + SelectorProvider.provider().getClass().getName());
            System.out.println("http=" + ((InetSocketAddress) http.localAddress()).getPort());
            System.out.println("echo=" + ((InetSocketAddress) echo.localAddress()).getPort());
            NettyHttpFetch.fetch(group, (InetSocketAddress) http.localAddress(), List.of("/fixed/netty-client/1",
                    "/big", "/options", "/fixed/netty-client/2")).forEach(System.out::println);
            System.out.println(NettyHttpFetch.refused(group, new InetSocketAddress(loopback, freePort())));
            System.out.println("ready");
            System.out.flush();
            quit.await();
            http.close().sync();
            echo.close().sync();
        } finally {
            // Closes every connection still open and the selectors; the event loops' threads end with it.
            group.shutdownGracefully(0, 10, TimeUnit.SECONDS).sync();
        }
        System.out.println("requests=" + HTTP_REQUESTS.get() + " opened=" + OPENED.get() + " closed="
                + CLOSED.get() + " echoed=" + ECHOED_BYTES.get() + " inputEnds=" + INPUT_ENDS.get()
                + " caught=" + CAUGHT);
        System.out.println("stopped");
    }

    /** A port on 127.0.0.1 that nobody listens on (the JDK's own socket: bound, read, closed). */
    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** The options of a connection as Netty reads them back: those the server set, and a few it did not. */
    private static String options(final SocketChannel ch) {
        final SocketChannelConfig c = ch.config();
        return "keepalive=" + c.isKeepAlive() + " tos=" + c.getTrafficClass() + " reuseaddr=" + c.isReuseAddress()
                + " nodelay=" + c.isTcpNoDelay() + " linger=" + c.getSoLinger() + " inputShutdown="
                + ch.isInputShutdown() + " outputShutdown=" + ch.isOutputShutdown() + "\n";
    }

    /** Counts the connections opened and closed, whichever server took them. */
    @ChannelHandler.Sharable
    private static final class Counting extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(final ChannelHandlerContext ctx) {
            OPENED.incrementAndGet();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx) {
            CLOSED.incrementAndGet();
            ctx.fireChannelInactive();
        }
    }

    /** The HTTP routes of the class comment. */
    private static final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final CountDownLatch quit;
        private final File file;

        HttpHandler(final CountDownLatch quit, final File file) {
            this.quit = quit;
            this.file = file;
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request) {
            HTTP_REQUESTS.incrementAndGet();
            final String path = request.uri();
            if (path.equals("/file")) {
                sendFile(ctx);
                return;
            }
            final ByteBuf body;
            if (path.equals("/big")) {
                body = Unpooled.wrappedBuffer(HttpTraffic.pattern(HttpTraffic.BIG_BYTES));
            } else if (path.equals("/options")) {
                body = Unpooled.copiedBuffer(options((SocketChannel) ctx.channel()), StandardCharsets.UTF_8);
            } else if (path.equals("/echo")) {
                body = request.content().retainedDuplicate();
            } else {
                body = Unpooled.copiedBuffer("you asked for " + path + "\n", StandardCharsets.UTF_8);
            }
            final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.OK, body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            final boolean keepAlive = HttpUtil.isKeepAlive(request) && !path.equals("/close")
                    && !path.equals("/quit");
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            final var written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
            if (path.equals("/quit")) {
                written.addListener(f -> quit.countDown());
            }
        }

        /** The file's bytes as Netty sends a static file: a {@code FileRegion}, FileChannel.transferTo the socket. */
        private void sendFile(final ChannelHandlerContext ctx) {
            final long length = file.length();
            final HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                    .set(HttpHeaderNames.CONTENT_LENGTH, length);
            ctx.write(head);
            ctx.write(new DefaultFileRegion(file, 0, length));
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            CAUGHT.merge("http " + cause.getClass().getName(), 1, Integer::sum);
            ctx.close();
        }
    }

    /**
     * Writes back what it reads. At the client's end of input it flushes and shuts its own output (the client reads
     * to the end), and closes once Netty has seen that end again on a read of the shut input: the state in which
     * Netty stops reading, which it finds by asking the socket whether its input is shut.
     */
    private static final class EchoHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
            ECHOED_BYTES.addAndGet(((ByteBuf) msg).readableBytes());
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object event) {
            if (event instanceof ChannelInputShutdownEvent) {
                INPUT_ENDS.incrementAndGet();
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)
                        .addListener(f -> ((SocketChannel) ctx.channel()).shutdownOutput());
            } else if (event instanceof ChannelInputShutdownReadComplete) {
                ctx.close();
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            CAUGHT.merge("echo " + cause.getClass().getName(), 1, Integer::sum);
            ctx.close();
        }
    }
}
