package raft.kv.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** etcd's {@code types.NewURLs}: which peer URLs a member request may carry. */
final class PeerUrls {
  private PeerUrls() {}

  private static final Set<String> SCHEMES = Set.of("http", "https", "unix", "unixs");

  /**
   * The URLs trimmed and sorted, as etcd stores them; empty if there are none or one is not
   * {@code scheme://host:port} with a scheme etcd knows and no path.
   */
  static Optional<List<String>> parse(List<String> urls) {
    if (urls.isEmpty()) {
      return Optional.empty();
    }
    List<String> out = new ArrayList<>();
    for (String raw : urls) {
      String u = raw.trim();
      if (!valid(u)) {
        return Optional.empty();
      }
      out.add(u);
    }
    out.sort(null);
    return Optional.of(List.copyOf(out));
  }

  /**
   * The first URL whose scheme does not say the same about TLS as {@code peerScheme} (this
   * member's: http or https), if any. The peer transport uses one TLS setting for every peer
   * and dials a URL's host and port only, so an https URL in a plain cluster would be dialled
   * in clear text, and an http one in a TLS cluster with TLS: refused rather than misread.
   * unix/unixs go with http/https (etcd's pairs); the transport cannot dial them anyway.
   */
  static Optional<String> wrongScheme(List<String> urls, String peerScheme) {
    return urls.stream().filter(u -> !matches(u, peerScheme)).findFirst();
  }

  /**
   * Whether {@code url}'s scheme is {@code peerScheme} (or its unix twin); a bare host:port
   * is http, as everywhere ({@link ServerConfig#isHttps}).
   */
  static boolean matches(String url, String peerScheme) {
    boolean tls = ServerConfig.isHttps(url) || url.trim().regionMatches(true, 0, "unixs://", 0, 8);
    return tls == "https".equalsIgnoreCase(peerScheme);
  }

  private static boolean valid(String u) {
    try {
      URI uri = new URI(u);
      return uri.getScheme() != null && SCHEMES.contains(uri.getScheme())
          && uri.getRawAuthority() != null && hasPort(uri.getRawAuthority())
          && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
          && uri.getRawQuery() == null && uri.getRawFragment() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  // Go's net.SplitHostPort: host:port, [v6]:port; the port may be empty but the colon not.
  private static boolean hasPort(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    int bracket = hostPort.lastIndexOf(']');
    return colon > 0 && colon > bracket && !hostPort.contains("@");
  }
}
