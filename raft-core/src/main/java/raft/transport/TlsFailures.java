package raft.transport;

import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/** A failed TLS handshake's reason in one line, for the side that logs it. */
public final class TlsFailures {
  private TlsFailures() {
  }

  /**
   * A refused certificate's reason (naming it: see {@link CaTrust}), or "not TLS" plus
   * {@code notTlsHint} for plain text on a TLS port, or the TLS error's message.
   */
  public static String reason(Throwable cause, String notTlsHint) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof CertificateException) {
        return t.getMessage();
      }
      // Netty's, shaded (gRPC's copy) or not: the class name says it either way.
      if (t.getClass().getSimpleName().equals("NotSslRecordException")) {
        return "not TLS (" + notTlsHint + ")";
      }
    }
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return t.getMessage();
      }
    }
    return String.valueOf(cause);
  }
}
