package dev.vos.client.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannelConfig;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Netty's NIO datagram transport, unmodified, on net0's provider (handed to Netty as its own constructors take
 * one): an echo server whose options Netty sets and reads through {@code DatagramChannel.socket()}, which threw
 * {@code UnsupportedOperationException} before the adaptor, answering 200 datagrams from a channel of the default
 * provider, against the same server on the default provider.
 */
@Timeout(120)
class NettyDatagramTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int DATAGRAMS = 200;

    @RegisterExtension
    static final Net0Fixture NET0 = new Net0Fixture();

    /** Sends every datagram back to its sender. */
    private static final class Echo extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final DatagramPacket packet) {
            ctx.writeAndFlush(new DatagramPacket(packet.content().retain(), packet.sender()));
        }
    }

    /** The server's options as Netty read them back, then what the sender got back, datagram by datagram. */
    private static List<String> echoThrough(final SelectorProvider provider) throws Exception {
        final List<String> seen = new ArrayList<>();
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(provider));
        try {
            final Channel server = new Bootstrap().group(group)
                    .channelFactory(() -> new NioDatagramChannel(provider))
                    .option(ChannelOption.SO_BROADCAST, true)
                    .option(ChannelOption.SO_RCVBUF, 1 << 17)
                    .option(ChannelOption.IP_MULTICAST_TTL, 4)
                    .handler(new Echo())
                    .bind(new InetSocketAddress(LOOPBACK, 0)).sync().channel();
            final DatagramChannelConfig config = (DatagramChannelConfig) server.config();
            seen.add("broadcast=" + config.isBroadcast() + " rcvbuf=" + config.getReceiveBufferSize()
                    + " ttl=" + config.getTimeToLive() + " reuse=" + config.isReuseAddress()
                    + " bound=" + ((InetSocketAddress) server.localAddress()).getAddress());
            try (DatagramChannel sender = DatagramChannel.open()) {
                sender.bind(new InetSocketAddress(LOOPBACK, 0));
                final ByteBuffer in = ByteBuffer.allocate(2048);
                int same = 0;
                for (int i = 0; i < DATAGRAMS; i++) {
                    final byte[] sent = ("datagram " + i + " ").repeat(1 + i % 50).getBytes(StandardCharsets.UTF_8);
                    sender.send(ByteBuffer.wrap(sent), server.localAddress());
                    in.clear();
                    final InetSocketAddress from = (InetSocketAddress) sender.receive(in);
                    in.flip();
                    final byte[] got = new byte[in.remaining()];
                    in.get(got);
                    if (from.equals(server.localAddress()) && java.util.Arrays.equals(sent, got)) {
                        same++;
                    }
                }
                seen.add("echoed as sent, from the server: " + same + " of " + DATAGRAMS);
            }
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
        return seen;
    }

    @Test
    void nettysDatagramEchoServer_answersThroughNet0AsOnTheDefaultProvider() throws Exception {
        final List<String> plain = echoThrough(SelectorProvider.provider());
        final List<String> net0 = echoThrough(NET0.provider());
        assertEquals("echoed as sent, from the server: " + DATAGRAMS + " of " + DATAGRAMS, plain.get(1));
        assertEquals(plain, net0);
    }
}
