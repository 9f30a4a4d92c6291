package raft.kv.gateway;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/** A client port with the gateway and no services on loopback: every /v3 path is a 404. */
final class BareGateway implements AutoCloseable {
  private final ManagedChannel nowhere = InProcessChannelBuilder.forName("nowhere").build();
  final ClientPortNegotiator negotiator;
  final Server server;

  BareGateway(int maxRequestBytes, Duration requestWait) throws IOException {
    negotiator = new Gateway(nowhere, List.of(), null, maxRequestBytes, requestWait)
        .negotiator();
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
        negotiator.credentials()).build().start();
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    negotiator.close();
    nowhere.shutdownNow();
  }
}
