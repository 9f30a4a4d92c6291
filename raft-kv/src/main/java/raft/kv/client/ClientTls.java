package raft.kv.client;

import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import raft.kv.tls.GrpcClientTls;

/**
 * How a client dials a member's client port over TLS, with etcdctl's flags: {@code --cacert}
 * (the CA that signed the member's certificate; the JDK's default trust store without it),
 * {@code --cert} and {@code --key} (the client's certificate, when the member requires one),
 * {@code --insecure-skip-tls-verify} (accept any server certificate). {@link #NONE}: plain text,
 * unless the endpoint says {@code https://}.
 */
public record ClientTls(Path cacert, Path cert, Path key, boolean insecureSkipVerify) {
  /** No TLS flags given. */
  public static final ClientTls NONE = new ClientTls(null, null, null, false);

  /** Whether any TLS flag was given (then every endpoint is dialed with TLS, as etcdctl). */
  public boolean enabled() {
    return !equals(NONE);
  }

  /**
   * The gRPC client context; the files are read and checked here.
   *
   * @throws IllegalArgumentException naming the flag and file at fault
   */
  public SslContext sslContext() {
    return GrpcClientTls.context(cacert, cert, key, insecureSkipVerify);
  }
}
