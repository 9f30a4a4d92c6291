package raft.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback ports for servers that tests start, each handed out once per JVM.
 *
 * <p>Why not port 0: a port the kernel picks is in the ephemeral range (32768-60999 on Linux),
 * and between picking it and a server binding it, any outgoing connection (a member dialling a
 * peer that is not up yet) may be given the same port as its source, and the bind fails. CI
 * failed once this way. These ports lie below that range, and between the bands the local
 * cluster uses (12380 and 22379 plus an offset), so only another test server can take them.
 */
public final class LoopbackPorts {
  static final int FIRST = 14_000;
  static final int LAST = 21_999;
  // A random start per JVM, so two test JVMs at once are unlikely to walk the same ports.
  private static final AtomicInteger NEXT =
      new AtomicInteger(ThreadLocalRandom.current().nextInt(LAST - FIRST + 1));

  private LoopbackPorts() {}

  /** A loopback address whose port was free just now and is not handed out again. */
  public static InetSocketAddress next() {
    for (int tries = 0; tries <= LAST - FIRST; tries++) {
      int port = FIRST + Math.floorMod(NEXT.getAndIncrement(), LAST - FIRST + 1);
      if (free(port)) {
        return new InetSocketAddress("127.0.0.1", port);
      }
    }
    throw new UncheckedIOException(new IOException(
        "no free loopback port between " + FIRST + " and " + LAST));
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
