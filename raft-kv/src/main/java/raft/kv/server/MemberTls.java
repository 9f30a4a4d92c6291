package raft.kv.server;

import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.util.function.Supplier;
import raft.kv.tls.GrpcClientTls;
import raft.kv.tls.ServerTls;

/** What a member's TLS settings mean for its own calls and its start line. */
final class MemberTls {
  private MemberTls() {
  }

  /** The files a forwarded request is made with; all null: the JDK's trust, no certificate. */
  record ForwardFiles(Path trustedCa, Path cert, Path key) {}

  /**
   * The context a member dials another member's https client URL with (a forwarded request,
   * PromoteMember to the leader). Made on first use, once.
   */
  static Supplier<SslContext> forwardContext(ServerConfig config) {
    return com.google.common.base.Suppliers.memoize(() -> {
      ForwardFiles f = forwardFiles(config);
      return GrpcClientTls.context(f.trustedCa(), f.cert(), f.key(), false);
    })::get;
  }

  /**
   * etcd forwards member-to-member over the peer transport, with peer TLS: so do we when the
   * member has it, its peer CA checking the leader and its peer certificate as the client's,
   * though we reach the leader at its client URL. The client-port settings are the wrong ones
   * for that: --trusted-ca-file is the CA of CLIENT certificates, not of members' server
   * certificates. Without peer TLS they are all there is (the peers then share no CA), so the
   * member falls back to them, and with no TLS at all to the JDK's trust and no certificate.
   */
  static ForwardFiles forwardFiles(ServerConfig config) {
    raft.transport.PeerTls peer = config.peerTls();
    if (peer != null) {
      return new ForwardFiles(peer.trustedCa(), peer.cert(), peer.key());
    }
    ServerTls client = config.clientTls();
    return client == null ? new ForwardFiles(null, null, null)
        : new ForwardFiles(client.trustedCa(), client.cert(), client.key());
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
