package raft.kv.server;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.apply.Membership;
import raft.kv.apply.MembershipListener;
import raft.pb.ConfState;
import raft.transport.PeerTransport;

/**
 * What follows a change of the membership registry, on the apply thread: the log says it in
 * plain words, the peer transport learns the members' addresses (a member added at runtime can
 * be reached, a removed one is cut off), and a member that finds itself removed stops, as etcd
 * does, for good.
 */
final class MembershipWatcher implements MembershipListener {
  static final String REMOVED = "the member has been permanently removed from the cluster";

  private final long self;
  private final Consumer<String> log;
  private final PeerTransport transport;
  private final Consumer<String> stop;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final String peerScheme;
  private final Set<String> skippedSaid = new HashSet<>();
  private String lastSaid = "";

  /**
   * {@code stop}: ends this member with the reason given; called once. {@code peerScheme}:
   * this member's (http or https); a member whose peer URL has the other one is not dialled.
   */
  MembershipWatcher(long self, Consumer<String> log, PeerTransport transport,
      Consumer<String> stop, String peerScheme) {
    this.self = self;
    this.peerScheme = peerScheme;
    this.log = log;
    this.transport = transport;
    this.stop = stop;
  }

  @Override
  public void changed(long index, Membership.View view, ConfState conf, boolean restored) {
    String members = "voters " + names(view, false) + ", learners " + names(view, true);
    if (conf != null || restored || !members.equals(lastSaid)) {
      log.accept("configuration is now " + members + ", at index " + index
          + (restored ? " (from a snapshot)" : ""));
    }
    lastSaid = members;
    if (!view.members().isEmpty()) { // empty: before the first entries of a replay
      transport.updatePeers(addresses(view, transport.peers(), peerScheme, this::sayOnce),
          view.removed());
    }
    if (view.removed().contains(self)) {
      removed();
    }
  }

  /** This member was removed (its own log says so, or a peer told it): stop, once. */
  void removed() {
    if (stopped.compareAndSet(false, true)) {
      log.accept(REMOVED + "; stopping");
      stop.accept(REMOVED);
    }
  }

  /** One line per skipped member and URL, not one per entry applied. */
  private void sayOnce(Member m) {
    if (skippedSaid.add(m.getID() + " " + m.getPeerURLs(0))) {
      log.accept(skipped(m, peerScheme));
    }
  }

  static String skipped(Member m, String peerScheme) {
    return "not dialling member " + nameOf(m) + " at " + m.getPeerURLs(0)
        + ": its peer URL's scheme is not this cluster's peer scheme " + peerScheme;
  }

  static String names(Membership.View view, boolean learners) {
    return view.members().stream().filter(m -> m.getIsLearner() == learners)
        .map(MembershipWatcher::nameOf).collect(Collectors.joining(",", "{", "}"));
  }

  /** The member's name, or its id in hex until it has started and published one. */
  static String nameOf(Member m) {
    return m.getName().isEmpty() ? Long.toHexString(m.getID()) : m.getName();
  }

  /**
   * Each member's first peer URL: the one address the transport dials; {@code known} for a
   * member without one (a data directory older than the registry knows its members' ids only).
   * The transport dials host and port with one cluster-wide TLS setting, so a member whose URL
   * has another scheme than {@code peerScheme} (added before the Cluster service refused such
   * URLs, or restored so) is left out, told to {@code skipped}, rather than dialled wrongly.
   */
  static Map<Long, InetSocketAddress> addresses(Membership.View view,
      Map<Long, InetSocketAddress> known, String peerScheme, Consumer<Member> skipped) {
    Map<Long, InetSocketAddress> peers = new HashMap<>();
    for (Member m : view.members()) {
      List<String> urls = m.getPeerURLsList();
      if (urls.isEmpty() && known.containsKey(m.getID())) {
        peers.put(m.getID(), known.get(m.getID()));
      } else if (!urls.isEmpty() && !PeerUrls.matches(urls.get(0), peerScheme)) {
        skipped.accept(m);
      } else if (!urls.isEmpty()) {
        try {
          peers.put(m.getID(), ServerConfig.parseAddress(urls.get(0)));
        } catch (IllegalArgumentException notHostPort) {
          // a unix:// URL etcd accepts: no address we can dial; the member stays unreachable
        }
      }
    }
    return peers;
  }
}
