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
   * {@code ents} were written to the log at their indexes, which now ends at {@code lastIndex}:
   * anything the log held in their range is replaced by them, and anything after
   * {@code lastIndex} is gone (a follower's conflicting tail, §5.3); entries of ours after them
   * up to {@code lastIndex} matched and stay. Returns true if the configuration in force changed.
   */
  public boolean onAppend(List<Entry> ents, long lastIndex) {
    int skip = 0;
    while (skip < ents.size() && ents.get(skip).getIndex() <= baseIndex) {
      skip++; // in the snapshot's configuration already (a log keeps some entries before it)
    }
    if (skip > 0) { // only recovery hands these over: no view on the loop's hot path
      ents = ents.subList(skip, ents.size());
    }
    if (ents.isEmpty()) {
      return false;
    }
    long first = ents.get(0).getIndex();
    boolean touchesChanges = !changes.isEmpty() && changes.lastKey() >= first;
    if (!touchesChanges && !anyChange(ents)) {
      return false; // the common case: no allocation on the loop's hot path
    }
    ConfState was = current();
    changes.subMap(first, true, ents.get(ents.size() - 1).getIndex(), true).clear();
    changes.tailMap(lastIndex, false).clear();
    for (Entry e : ents) {
      ConfChangeV2 cc = ConfChanges.decode(e);
      if (cc != null) {
        changes.put(e.getIndex(), ConfChanges.apply(at(e.getIndex() - 1), cc).after());
      }
    }
    return !current().equals(was);
  }

  private static boolean anyChange(List<Entry> ents) {
    for (Entry e : ents) {
      if (ConfChanges.isConfChange(e)) {
        return true;
      }
    }
    return false;
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
