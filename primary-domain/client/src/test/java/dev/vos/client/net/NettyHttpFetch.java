package dev.vos.client.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Netty's own HTTP client on {@code NioSocketChannel}: a non-blocking connect finished on {@code OP_CONNECT}, then
 * requests one after another on the kept-alive connection; one line per response (status, headers, the body or its
 * digest).
 * And a connect to a port nobody listens on, which must fail as a {@code ConnectException}.
 */
final class NettyHttpFetch {

    private static final long ANSWER_SECONDS = 30;
    /** A body shorter than this is shown as text, a longer one by its digest. */
    private static final int SHOWN_BYTES = 256;

    private NettyHttpFetch() {
    }

    /** Fetches each of {@code paths} from {@code server} on one connection of {@code group}. */
    static List<String> fetch(final EventLoopGroup group, final InetSocketAddress server, final List<String> paths)
            throws Exception {
        final BlockingQueue<FullHttpResponse> answers = new LinkedBlockingQueue<>();
        final Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(final SocketChannel c) {
                        c.pipeline().addLast(new HttpClientCodec(),
                                new HttpObjectAggregator(HttpTraffic.BIG_BYTES),
                                new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(final ChannelHandlerContext ctx,
                                                                final FullHttpResponse r) {
                                        answers.add(r.retain());
                                    }
                                });
                    }
                }).connect(server).sync().channel();
        final List<String> seen = new ArrayList<>();
        try {
            for (String path : paths) {
                final DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                        HttpMethod.GET, path);
                request.headers().set(HttpHeaderNames.HOST, "127.0.0.1");
                ch.writeAndFlush(request).sync();
                final FullHttpResponse r = answers.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
                if (r == null) {
                    throw new IllegalStateException("no answer to " + path + " in " + ANSWER_SECONDS + " s");
                }
                try {
                    final TreeMap<String, String> headers = new TreeMap<>();
                    r.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
                    final byte[] body = ByteBufUtil.getBytes(r.content());
                    seen.add("netty client " + path + ": " + r.status() + " " + headers + " " + (body.length
                            < SHOWN_BYTES ? new String(body, StandardCharsets.UTF_8).strip() : RawHttp.digest(body)));
                } finally {
                    r.release();
                }
            }
        } finally {
            ch.close().sync();
        }
        return seen;
    }

    /** What a connect to {@code nobody}, a port with no listener, ends in. */
    static String refused(final EventLoopGroup group, final InetSocketAddress nobody) throws InterruptedException {
        final var connect = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(final SocketChannel c) {
                        // nothing to do: the connect fails
                    }
                }).connect(nobody);
        if (!connect.await(ANSWER_SECONDS, TimeUnit.SECONDS)) {
            return "netty client connect to no listener: no answer in " + ANSWER_SECONDS + " s";
        }
        return "netty client connect to no listener: " + (connect.cause() instanceof ConnectException
                ? "ConnectException" : String.valueOf(connect.cause()));
    }
}
