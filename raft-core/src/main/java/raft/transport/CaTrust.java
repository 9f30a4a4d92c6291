package raft.transport;

import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's own certificate path checks (PKIX, with hostname checks where the engine asks for
 * them) against the certificates of one CA file, whose refusals name the certificate refused and
 * the flag whose CA did not sign it: a handshake that fails for want of trust then says, in the
 * log line of the side that refused, which certificate and why ("certificate CN=n4 (issued by
 * CN=other CA) is not trusted by --peer-trusted-ca-file ca.crt: ...").
 */
public final class CaTrust extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager pkix;
  private final String what;
  private final boolean clientSan;

  private CaTrust(X509ExtendedTrustManager pkix, String what, boolean clientSan) {
    this.pkix = pkix;
    this.what = what;
    this.clientSan = clientSan;
  }

  /**
   * The same, also checking, as etcd's peer listener does, that a dialer's certificate with
   * subject alternative names names the address it dials from (an IP SAN equal to it, or a DNS
   * SAN resolving to it). The engine must know the peer's address ({@code
   * SslContext.newHandler(alloc, host, port)}).
   */
  public CaTrust withClientSanCheck() {
    return new CaTrust(pkix, what, true);
  }

  /** Trusts the certificates in {@code caFile} (PEM), named {@code flag} in refusals. */
  public static CaTrust of(Path caFile, String flag) {
    List<X509Certificate> cas = PemFiles.certificates(caFile, flag);
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("ca" + i, cas.get(i));
      }
      TrustManagerFactory f = TrustManagerFactory.getInstance(
          TrustManagerFactory.getDefaultAlgorithm());
      f.init(store);
      for (TrustManager t : f.getTrustManagers()) {
        if (t instanceof X509ExtendedTrustManager x) {
          return new CaTrust(x, flag + " " + caFile, false);
        }
      }
      throw new IllegalStateException("the JDK offers no X509ExtendedTrustManager");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalArgumentException(flag + " " + caFile + ": " + e.getMessage(), e);
    }
  }

  private CertificateException refused(X509Certificate[] chain, CertificateException e) {
    String who = chain == null || chain.length == 0 ? "no certificate"
        : "certificate " + chain[0].getSubjectX500Principal().getName() + " (issued by "
            + chain[0].getIssuerX500Principal().getName() + ", valid "
            + chain[0].getNotBefore().toInstant() + " to " + chain[0].getNotAfter().toInstant()
            + ")";
    CertificateException out = new CertificateException(who + " is not trusted by " + what
        + ": " + e.getMessage(), e);
    return out;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    try {
      pkix.checkClientTrusted(chain, authType, socket);
    } catch (CertificateException e) {
      throw refused(chain, e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    try {
      pkix.checkServerTrusted(chain, authType, socket);
    } catch (CertificateException e) {
      throw refused(chain, e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    try {
      pkix.checkClientTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      throw refused(chain, e);
    }
    if (clientSan && engine != null && engine.getPeerHost() != null) {
      SanCheck.check(chain[0], engine.getPeerHost());
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    try {
      pkix.checkServerTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      throw refused(chain, e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    try {
      pkix.checkClientTrusted(chain, authType);
    } catch (CertificateException e) {
      throw refused(chain, e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    try {
      pkix.checkServerTrusted(chain, authType);
    } catch (CertificateException e) {
      throw refused(chain, e);
    }
  }

  /**
   * None named: a server's certificate request then lists no CA, and a JDK client sends its
   * certificate whoever signed it (as Go's clients do), so a refused client is refused here,
   * by name, instead of arriving without a certificate. Trust is decided by the checks above.
   */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
