package raft.kv.tls;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NegotiationType;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import raft.transport.CaTrust;
import raft.transport.PemFiles;

/**
 * gRPC over TLS to a member's client port, as etcdctl dials it: the server's certificate checked
 * against {@code --cacert} (or the JDK's default trust store without it) and against the host
 * dialed; {@code --cert}/{@code --key} presented if given; {@code --insecure-skip-tls-verify}
 * checks nothing about the server (etcdctl's flag, for tests only).
 */
public final class GrpcClientTls {
  private GrpcClientTls() {
  }

  /**
   * The client context; every file checked first.
   *
   * @throws IllegalArgumentException naming the flag and file at fault
   */
  public static SslContext context(Path cacert, Path cert, Path key, boolean insecure) {
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("--cert and --key go together (a client certificate"
          + " and its key)");
    }
    SslContextBuilder b = GrpcSslContexts.configure(SslContextBuilder.forClient(),
        SslProvider.JDK);
    if (insecure) {
      b.trustManager(TrustAll.INSTANCE);
    } else if (cacert != null) {
      b.trustManager(CaTrust.of(cacert, "--cacert"));
    }
    if (cert != null) {
      PemFiles.KeyPair pair = PemFiles.keyPair(cert, "--cert", key, "--key");
      b.keyManager(pair.key(), pair.chain());
    }
    try {
      return b.build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("client TLS: " + e.getMessage(), e);
    }
  }

  /** A channel to {@code address} over TLS with {@code context}. */
  public static ManagedChannel dial(InetSocketAddress address, SslContext context) {
    return NettyChannelBuilder.forAddress(address.getHostString(), address.getPort())
        .negotiationType(NegotiationType.TLS).sslContext(context).build();
  }
}
