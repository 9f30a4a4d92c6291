package raft.kv.server;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The CN of a TLS client's verified certificate (etcd's AuthInfoFromTLS takes the subject CN of
 * the first verified chain). Empty without TLS, without a client certificate (the port does not
 * ask for one unless --client-cert-auth), or without a CN.
 */
final class ClientCertName {
  private ClientCertName() {}

  static Optional<String> of(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return Optional.empty();
      }
      LdapName dn = new LdapName(leaf.getSubjectX500Principal().getName());
      for (Rdn rdn : dn.getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(String.valueOf(rdn.getValue()));
        }
      }
      return Optional.empty();
    } catch (SSLPeerUnverifiedException | InvalidNameException e) {
      return Optional.empty();
    }
  }
}
