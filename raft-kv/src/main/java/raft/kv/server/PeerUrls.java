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
