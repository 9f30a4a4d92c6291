package raft.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import raft.pb.ConfState;
import raft.pb.Message;
import raft.pb.MessageType;

/**
 * How many Raft messages this member has handed to the transport, per destination and kind,
 * since it started: for the cluster view, which draws the differences between two reads. The
 * Raft loop counts ({@link #sent}); any thread reads ({@link #read}). Counting allocates
 * nothing once a peer is known: a linear scan of a handful of peers beats a map of boxed ids.
 */
public final class MessageCounts {
  /** The kinds drawn; the local message types (ticks, proposals, reads) are not counted. */
  public enum Kind {
    HEARTBEAT, APPEND, VOTE, PREVOTE, SNAPSHOT, RESPONSE;

    /** The name the cluster view's frames use: "heartbeat", "append", ... */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final Kind[] KINDS = Kind.values();

  /** One destination's counters, indexed by {@link Kind#ordinal}. */
  private record Peer(long id, AtomicLongArray counts) {}

  /** One destination's counts as read. */
  public record Sent(long to, Kind kind, long count) {}

  private volatile Peer[] peers = new Peer[0]; // copied on the rare add of a new destination

  /** The kind a message counts as, or null for a type that never crosses the network. */
  public static Kind kindOf(MessageType t) {
    return switch (t) {
      case MSG_HEARTBEAT -> Kind.HEARTBEAT;
      case MSG_APP -> Kind.APPEND;
      case MSG_VOTE -> Kind.VOTE;
      case MSG_PRE_VOTE -> Kind.PREVOTE;
      case MSG_SNAP -> Kind.SNAPSHOT;
      case MSG_APP_RESP, MSG_VOTE_RESP, MSG_HEARTBEAT_RESP, MSG_PRE_VOTE_RESP,
          MSG_READ_INDEX_RESP -> Kind.RESPONSE;
      default -> null;
    };
  }

  /** Counts one message handed to the transport (on the Raft loop). */
  void sent(Message m) {
    Kind k = kindOf(m.getType());
    if (k != null) {
      peer(m.getTo()).counts.incrementAndGet(k.ordinal());
    }
  }

  private Peer peer(long id) {
    for (Peer p : peers) {
      if (p.id == id) {
        return p;
      }
    }
    synchronized (this) {
      for (Peer p : peers) {
        if (p.id == id) {
          return p;
        }
      }
      Peer added = new Peer(id, new AtomicLongArray(KINDS.length));
      Peer[] more = Arrays.copyOf(peers, peers.length + 1);
      more[more.length - 1] = added;
      peers = more;
      return added;
    }
  }

  /**
   * On the Raft loop, when the configuration changed: forgets the destinations that left it
   * (an added member has a new id, so otherwise the counts grow with every member ever seen).
   */
  void retain(ConfState conf) {
    Set<Long> members = new HashSet<>(conf.getVotersList());
    members.addAll(conf.getVotersOutgoingList());
    members.addAll(conf.getLearnersList());
    members.addAll(conf.getLearnersNextList());
    synchronized (this) {
      peers = Arrays.stream(peers).filter(p -> members.contains(p.id)).toArray(Peer[]::new);
    }
  }

  /** Every non-zero count so far; safe from any thread. */
  public List<Sent> read() {
    List<Sent> out = new ArrayList<>();
    for (Peer p : peers) {
      for (Kind k : KINDS) {
        long n = p.counts.get(k.ordinal());
        if (n > 0) {
          out.add(new Sent(p.id, k, n));
        }
      }
    }
    return out;
  }
}
