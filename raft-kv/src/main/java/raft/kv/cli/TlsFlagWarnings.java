package raft.kv.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import raft.kv.server.ServerConfig;

/**
 * etcd 3.4's warnings (embed/etcd.go, configurePeerListeners and configureClientListeners) for
 * certificate flags given with an http listen URL: the flags are ignored, as in etcd, but not
 * silently. As etcd: key or cert file present, or client cert auth on; a trusted CA alone says
 * nothing. The URL follows in parentheses where etcd has its zap field.
 */
final class TlsFlagWarnings {
  private TlsFlagWarnings() {
  }

  static final String FILES_IGNORED =
      "scheme is HTTP while key and cert files are present; ignoring key and cert files";
  static final String CLIENT_AUTH_IGNORED = "scheme is HTTP while --client-cert-auth is enabled;"
      + " ignoring client cert auth for this URL";
  static final String PEER_AUTH_IGNORED = "scheme is HTTP while --peer-client-cert-auth is"
      + " enabled; ignoring client cert auth for this URL";

  /** The client port's: {@code url} is --listen-client-urls. */
  static List<String> client(String url, Path cert, Path key, boolean clientCertAuth) {
    return of(url, "client-url", cert, key, clientCertAuth, CLIENT_AUTH_IGNORED);
  }

  /** The peer port's: {@code url} is the URL the peer port listens at. */
  static List<String> peer(String url, Path cert, Path key, boolean clientCertAuth) {
    return of(url, "peer-url", cert, key, clientCertAuth, PEER_AUTH_IGNORED);
  }

  private static List<String> of(String url, String field, Path cert, Path key,
      boolean clientCertAuth, String authIgnored) {
    List<String> out = new ArrayList<>();
    if (url == null || ServerConfig.isHttps(url)) {
      return out;
    }
    String where = " (" + field + " " + url.trim() + ")";
    if (cert != null || key != null) {
      out.add(FILES_IGNORED + where);
    }
    if (clientCertAuth) {
      out.add(authIgnored + where);
    }
    return out;
  }
}
