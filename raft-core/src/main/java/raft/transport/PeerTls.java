package raft.transport;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * TLS on the peer port, from etcd's flags: the member's certificate ({@code --peer-cert-file},
 * {@code --peer-key-file}) serves its peer port and is also the one it presents when it dials a
 * peer; {@code --peer-trusted-ca-file} checks the other side's certificate, and the dialer also
 * checks that the peer's certificate names the host it dialed (an IP or DNS subject alternative
 * name, as etcd's peers check), and the accepting side checks that a dialer's certificate names
 * the address it connects from ({@link SanCheck}, etcd's peer listener's check). As in etcd, a trusted CA (or {@code --peer-client-cert-auth})
 * makes the accepting side require the dialer's certificate, signed by that CA.
 *
 * @param cert PEM certificate (chain), leaf first
 * @param key its PEM private key (PKCS#8, PKCS#1 or SEC1; unencrypted)
 * @param trustedCa PEM CA certificates, or null for the JDK's default trust store
 * @param clientCertAuth require a dialer's certificate even without a trusted CA file
 */
public record PeerTls(Path cert, Path key, Path trustedCa, boolean clientCertAuth) {

  /** The contexts made once from the files; {@link #load} checks them. */
  public record Contexts(SslContext server, SslContext client) {
  }

  public PeerTls {
    if (cert == null || key == null) {
      throw new IllegalArgumentException("https peer URLs need --peer-cert-file and"
          + " --peer-key-file");
    }
    if (clientCertAuth && trustedCa == null) {
      throw new IllegalArgumentException("--peer-client-cert-auth needs"
          + " --peer-trusted-ca-file (the CA that signs the peers' certificates)");
    }
  }

  /**
   * Reads and checks the files (they exist, parse, and the key is the certificate's).
   *
   * @throws IllegalArgumentException naming the flag and file at fault
   */
  public Contexts load() {
    PemFiles.KeyPair pair = PemFiles.keyPair(cert, "--peer-cert-file", key, "--peer-key-file");
    CaTrust trust = trustedCa == null ? null : CaTrust.of(trustedCa, "--peer-trusted-ca-file");
    try {
      SslContextBuilder server = SslContextBuilder.forServer(pair.key(), pair.chain())
          .sslProvider(SslProvider.JDK)
          .clientAuth(trust != null || clientCertAuth ? ClientAuth.REQUIRE : ClientAuth.NONE);
      SslContextBuilder client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
          .keyManager(pair.key(), pair.chain())
          .endpointIdentificationAlgorithm("HTTPS");
      if (trust != null) {
        server.trustManager(trust.withClientSanCheck());
        client.trustManager(trust);
      }
      return new Contexts(server.build(), client.build());
    } catch (SSLException e) {
      throw new IllegalArgumentException("peer TLS from --peer-cert-file " + cert + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * A blocking TLS socket to {@code peer}, handshake done (its certificate checked against the
   * host dialed), for a one-off question such as a joining member's.
   */
  static Socket connect(SslContext client, InetSocketAddress peer, int timeoutMillis)
      throws IOException {
    Socket plain = new Socket();
    try {
      plain.connect(peer, timeoutMillis);
      plain.setSoTimeout(timeoutMillis);
      SSLSocket s = (SSLSocket) ((JdkSslContext) client).context().getSocketFactory()
          .createSocket(plain, peer.getHostString(), peer.getPort(), true);
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(p);
      s.setUseClientMode(true);
      s.startHandshake();
      return s;
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }
}
