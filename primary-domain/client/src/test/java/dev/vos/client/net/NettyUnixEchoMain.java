package dev.vos.client.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;

import java.net.UnixDomainSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;

/**
 * An echo server on Netty's NIO Unix domain socket transport ({@code NioServerDomainSocketChannel}), unmodified:
 * bound to the path in its argument, through net0 when the command line names vos's provider. Prints its provider and
 * its socket's name, echoes until its standard input ends, then closes and ends.
 */
public final class NettyUnixEchoMain {

    private NettyUnixEchoMain() {
    }

    public static void main(final String[] args) throws Exception {
        final Path path = Path.of(args[0]);
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            final Channel server = new ServerBootstrap().group(group).channel(NioServerDomainSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(final Channel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
                                    ctx.writeAndFlush(msg);
                                }
                            });
                        }
                    }).bind(UnixDomainSocketAddress.of(path)).sync().channel();
            System.out.println("provider " + SelectorProvider.provider().getClass().getName());
            System.out.println("listening on " + ((UnixDomainSocketAddress) server.localAddress()).getPath()
                    .getFileName());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our standard input
            }
            server.close().sync();
            System.out.println("closed");
        } finally {
            group.shutdownGracefully().sync();
        }
    }
}
