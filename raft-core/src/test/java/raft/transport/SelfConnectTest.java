package raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TCP self-connect: a loopback connect to a port nobody listens on can be given that same port
 * as its source and connect to itself. CI once lost a run to it (a member's peer port in the
 * ephemeral range was held by the other members' own retries). Here the self-connect is made on
 * purpose, by binding the source port, so the check runs on a real one every time. On both
 * Netty transports: members dial on epoll by default, and its channels report their addresses
 * through native calls, not the JDK's.
 */
@ParameterizedClass(name = "on {0}")
@ValueSource(strings = {"epoll", "nio"})
class SelfConnectTest {
  @Parameter
  String transport;

  @Test
  @DisplayName("a link that connected to itself is recognised; a real connection is not")
  void selfConnectIsRecognised() throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    NettyIo io = NettyIo.of(transport);
    EventLoopGroup group = io.group(1, new DefaultThreadFactory("self-connect", true));
    try (ServerSocket listener = new ServerSocket(0, 1, lo)) {
      Bootstrap b = new Bootstrap().group(group).channel(io.socketChannel())
          .option(ChannelOption.SO_REUSEADDR, true).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) { } // nothing to read: only addresses matter
          });
      int port = LoopbackPorts.next().getPort();
      InetSocketAddress self = new InetSocketAddress(lo, port);
      Channel loop = b.connect(self, self).sync().channel();
      assertEquals(loop.localAddress(), loop.remoteAddress(), "the socket connected to itself");
      assertTrue(PeerLink.connectedToItself(loop));
      loop.close().sync();

      Channel real = b.connect(listener.getLocalSocketAddress()).sync().channel();
      assertFalse(PeerLink.connectedToItself(real), real.localAddress() + " -> "
          + real.remoteAddress());
      real.close().sync();
    } finally {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }
  }
}
