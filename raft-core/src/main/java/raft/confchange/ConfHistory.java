package raft.confchange;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import raft.pb.ConfChangeV2;
import raft.pb.ConfState;
import raft.pb.Entry;

/**
 * Thesis §4.1: "a server always uses the latest configuration in its log, regardless of whether
 * the entry is committed". This is that rule, kept as a function of the log: the configuration
 * recorded by the snapshot the log starts from (the base), then every change entry after it,
 * folded in log order with {@link ConfChanges#apply}. An append that overwrites a change entry
 * (a follower's log conflicting with a new leader's, §5.3) takes that change back with it.
 *
 * <p>Pure; the protocol keeps one per member. The runtime's snapshots and recovery compute the
 * same configuration from the same entries with the same function.
 */
public final class ConfHistory {
  private ConfState base;
  private long baseIndex;
  // index of each change entry after the base -> the configuration from that index on
  private final TreeMap<Long, ConfState> changes = new TreeMap<>();

  public ConfHistory(ConfState base, long baseIndex) {
    reset(base, baseIndex);
  }

  /** §7: a snapshot replaces the log, and its ConfState replaces the configuration. */
  public void reset(ConfState snapshotConf, long snapshotIndex) {
    base = snapshotConf;
    baseIndex = snapshotIndex;
    changes.clear();
  }

  /**
   * {@code ents} were written to the log from their first index on (replacing anything at or
   * after it). Returns true if the configuration in force changed.
   */
  public boolean onAppend(List<Entry> ents) {
    if (ents.isEmpty()) {
      return false;
    }
    ConfState was = current();
    changes.tailMap(ents.get(0).getIndex(), true).clear();
    for (Entry e : ents) {
      ConfChangeV2 cc = ConfChanges.decode(e);
      if (cc != null) {
        changes.put(e.getIndex(), ConfChanges.apply(current(), cc).after());
      }
    }
    return !current().equals(was);
  }

  /** The configuration in force: the latest in the log. */
  public ConfState current() {
    return changes.isEmpty() ? base : changes.lastEntry().getValue();
  }

  /** The index of the latest change entry in the log (the base's index if none). */
  public long lastChangeIndex() {
    return changes.isEmpty() ? baseIndex : changes.lastKey();
  }

  /** The configuration as of index {@code i} (for a snapshot taken at {@code i}). */
  public ConfState at(long i) {
    Map.Entry<Long, ConfState> e = changes.floorEntry(i);
    return e == null ? base : e.getValue();
  }
}
