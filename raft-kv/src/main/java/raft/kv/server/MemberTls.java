package raft.kv.server;

import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.util.function.Supplier;
import raft.kv.tls.GrpcClientTls;
import raft.kv.tls.ServerTls;

/** What a member's TLS settings mean for its own calls and its start line. */
final class MemberTls {
  private MemberTls() {
  }

  /**
   * The context a member dials another member's https client URL with (a forwarded request):
   * its client certificate and trusted CA if it serves TLS itself, else its peer certificate and
   * peer CA, else the JDK's default trust without a certificate. Made on first use, once.
   */
  static Supplier<SslContext> forwardContext(ServerConfig config) {
    return com.google.common.base.Suppliers.memoize(() -> {
      ServerTls client = config.clientTls();
      if (client != null) {
        return client.memberClientContext();
      }
      raft.transport.PeerTls peer = config.peerTls();
      return peer != null ? GrpcClientTls.context(peer.trustedCa(), peer.cert(), peer.key(),
          false) : GrpcClientTls.context(null, null, null, false);
    })::get;
  }

  /** ", TLS with client certificates" and the like, for the start line. */
  static String describe(ServerConfig config) {
    ServerTls t = config.clientTls();
    if (t == null) {
      return "";
    }
    return t.requiresClientCert() ? "; TLS, client certificates required" : "; TLS";
  }
}
