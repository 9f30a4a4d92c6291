package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.transport.NettyIo;

/**
 * The client port's choices that a real server cannot show here: a shaded epoll that does not
 * load (it loads on this machine), and worker counts that differ within one JVM.
 */
class GrpcServerTuningTest {
  private static final Throwable MISSING = new UnsatisfiedLinkError("no shaded libnetty_epoll");

  @Test
  @DisplayName("auto falls back to NIO where gRPC's shaded epoll does not load, and says why")
  void autoFallsBack() {
    GrpcServerTuning.Transport t = GrpcServerTuning.transport(
        NettyIo.choose("auto", () -> true, () -> null), () -> false, () -> MISSING);
    assertEquals(NettyIo.Kind.NIO, t.kind());
    assertTrue(t.why().contains("shaded epoll unavailable") && t.why().contains("no shaded"),
        t.why());
  }

  @Test
  @DisplayName("an explicit raftkv.transport=epoll is refused where gRPC's epoll does not load")
  void explicitEpollIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GrpcServerTuning.transport(NettyIo.choose("epoll", () -> true, () -> null),
            () -> false, () -> MISSING));
    assertTrue(e.getMessage().startsWith("raftkv.transport=epoll but gRPC's shaded epoll is"
        + " unavailable") && e.getMessage().contains("no shaded"), e.getMessage());
  }

  @Test
  @DisplayName("a later server with another worker count gets a group of that count, not the"
      + " first one's")
  void groupsPerWorkerCount() {
    GrpcServerTuning.Groups one = GrpcServerTuning.groups(NettyIo.Kind.NIO, 1);
    GrpcServerTuning.Groups three = GrpcServerTuning.groups(NettyIo.Kind.NIO, 3);
    assertSame(one, GrpcServerTuning.groups(NettyIo.Kind.NIO, 1), "shared, not one per server");
    assertNotSame(one, three);
    assertEquals(1, count(one.workers()));
    assertEquals(3, count(three.workers()));
  }

  private static int count(EventLoopGroup group) {
    int n = 0;
    for (EventExecutor e : group) {
      n++;
    }
    return n;
  }

  @Test
  @DisplayName("where it loads, or for nio, the choice stands")
  void choiceStands() {
    assertEquals(new GrpcServerTuning.Transport(NettyIo.Kind.EPOLL, ""), GrpcServerTuning
        .transport(NettyIo.choose("epoll", () -> true, () -> null), () -> true, () -> MISSING));
    assertEquals(NettyIo.Kind.NIO, GrpcServerTuning.transport(NettyIo.of("nio"),
        () -> fail("nio never asks whether epoll loads"), () -> MISSING).kind());
  }
}
