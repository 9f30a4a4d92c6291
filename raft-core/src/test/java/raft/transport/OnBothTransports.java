package raft.transport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.Parameter;

/**
 * For test classes that run every test on both Netty transports, Linux's epoll and Java's NIO
 * (annotate them {@code @ParameterizedClass(name = "on {0}") @ValueSource(strings = {"epoll",
 * "nio"})}): the members {@link TestPeers} makes use the transport of the run.
 */
abstract class OnBothTransports {
  @Parameter
  String transport;

  @BeforeEach
  void useTransport() {
    TestPeers.io = NettyIo.of(transport);
  }

  @AfterEach
  void defaultTransport() {
    TestPeers.io = null;
  }
}
