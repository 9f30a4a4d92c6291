package raft.kv.tls;

import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolConfig;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolNames;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import raft.transport.CaTrust;
import raft.transport.PemFiles;

/**
 * TLS on the client port, from etcd's flags: {@code --cert-file} and {@code --key-file} serve it;
 * {@code --trusted-ca-file} checks clients' certificates. As etcd 3.4 does, a trusted CA file
 * alone already makes the port require a client certificate signed by it; {@code
 * --client-cert-auth} says so explicitly (and needs the CA file).
 *
 * <p>ALPN offers {@code http/1.1} before {@code h2}: gRPC clients offer only h2 and get it, while
 * curl (which offers both) gets HTTP/1.1, which the JSON gateway speaks. (etcd picks h2 and
 * serves its gateway over HTTP/2 too; our gateway speaks HTTP/1.1 only.)
 *
 * @param cert PEM certificate (chain), leaf first
 * @param key its PEM private key (PKCS#8, PKCS#1 or SEC1; unencrypted)
 * @param trustedCa PEM CA certificates for client certificates, or null
 * @param clientCertAuth require a client certificate signed by {@code trustedCa}
 */
public record ServerTls(Path cert, Path key, Path trustedCa, boolean clientCertAuth) {
  public ServerTls {
    if (cert == null || key == null) {
      throw new IllegalArgumentException("an https --listen-client-urls needs --cert-file and"
          + " --key-file");
    }
    if (clientCertAuth && trustedCa == null) {
      throw new IllegalArgumentException("--client-cert-auth needs --trusted-ca-file (the CA"
          + " that signs the clients' certificates)");
    }
  }

  /** Whether a client must present a certificate signed by the trusted CA. */
  public boolean requiresClientCert() {
    return trustedCa != null;
  }

  /**
   * Reads and checks the files; the server's context for the client port.
   *
   * @throws IllegalArgumentException naming the flag and file at fault
   */
  public SslContext serverContext() {
    PemFiles.KeyPair pair = PemFiles.keyPair(cert, "--cert-file", key, "--key-file");
    SslContextBuilder b = SslContextBuilder.forServer(pair.key(), pair.chain())
        .sslProvider(SslProvider.JDK)
        .applicationProtocolConfig(new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_1_1, ApplicationProtocolNames.HTTP_2));
    if (trustedCa != null) {
      b.trustManager(CaTrust.of(trustedCa, "--trusted-ca-file")).clientAuth(ClientAuth.REQUIRE);
    }
    try {
      return b.build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("client port TLS from --cert-file " + cert + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * The context a member uses to call another member's https client URL (a forwarded request):
   * its own certificate as the client's, the trusted CA to check the other member's.
   */
  public SslContext memberClientContext() {
    return GrpcClientTls.context(trustedCa, cert, key, false);
  }
}
