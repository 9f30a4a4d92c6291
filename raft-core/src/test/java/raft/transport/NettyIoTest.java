package raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The choice of Netty transport made by raftkv.transport. */
class NettyIoTest {
  private static final Throwable MISSING = new UnsatisfiedLinkError("no libnetty_epoll here");

  @Test
  @DisplayName("auto picks epoll on this Linux x86_64 machine (netty-all's native library loads)")
  void autoPicksEpollHere() {
    assertTrue(Epoll.isAvailable(), () -> "epoll unavailable: " + Epoll.unavailabilityCause());
    for (String v : new String[] {null, "auto", " AUTO "}) {
      NettyIo io = NettyIo.of(v);
      assertEquals(NettyIo.Kind.EPOLL, io.kind(), "for " + v);
      assertEquals(EpollServerSocketChannel.class, io.serverChannel());
      assertEquals(EpollSocketChannel.class, io.socketChannel());
    }
    assertEquals(NettyIo.Kind.EPOLL, NettyIo.of("epoll").kind());
  }

  @Test
  @DisplayName("nio forces NIO although epoll is available")
  void nioForcesNio() {
    NettyIo io = NettyIo.of("nio");
    assertEquals(NettyIo.Kind.NIO, io.kind());
    assertEquals(NioServerSocketChannel.class, io.serverChannel());
    assertEquals(NioSocketChannel.class, io.socketChannel());
    assertTrue(io.describe().contains("nio"), io.describe());
  }

  @Test
  @DisplayName("auto falls back to NIO where epoll does not load, and says why")
  void autoFallsBack() {
    NettyIo io = NettyIo.choose("auto", () -> false, () -> MISSING);
    assertEquals(NettyIo.Kind.NIO, io.kind());
    assertTrue(io.describe().contains("epoll unavailable") && io.describe().contains("no libnetty"),
        io.describe());
  }

  @Test
  @DisplayName("epoll and nio are explicit choices, auto is not")
  void explicitChoices() {
    assertTrue(NettyIo.of("epoll").explicit());
    assertTrue(NettyIo.of(" NIO").explicit());
    assertFalse(NettyIo.of(null).explicit());
    assertFalse(NettyIo.of("auto").explicit());
    assertFalse(NettyIo.choose("auto", () -> false, () -> MISSING).explicit());
  }

  @Test
  @DisplayName("an unknown value, or epoll where it does not load, is refused with a clear error")
  void refusals() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NettyIo.of("kqueue"));
    assertEquals("raftkv.transport=kqueue is not a transport: expected auto, epoll or nio",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> NettyIo.choose("epoll", () -> false, () -> MISSING));
    assertTrue(e.getMessage().contains("epoll is unavailable") && e.getMessage().contains(
        "no libnetty"), e.getMessage());
  }
}
