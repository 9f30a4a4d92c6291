package raft.kv.server;

import io.grpc.Attributes;
import io.grpc.Grpc;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who a TLS client is, from its certificate: etcd takes the client certificate's common name as
 * the user name when auth is on and the request carries no token. A server interceptor reads it
 * from the call's transport attributes ({@code call.getAttributes()}).
 */
public final class TlsPeerIdentity {
  private TlsPeerIdentity() {
  }

  /**
   * The CN of the client's certificate (the leaf's first CN), or empty for a plain-text call, a
   * TLS client without a certificate, or a certificate without a CN.
   */
  public static Optional<String> commonName(Attributes transport) {
    SSLSession session = transport == null ? null
        : transport.get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return Optional.empty();
      }
      return commonName(leaf);
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty(); // no client certificate
    }
  }

  /** The certificate's subject CN, if it has one. */
  public static Optional<String> commonName(X509Certificate cert) {
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(String.valueOf(rdn.getValue()));
        }
      }
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
