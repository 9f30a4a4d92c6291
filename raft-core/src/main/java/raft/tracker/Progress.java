package raft.tracker;

/**
 * The leader's view of one follower (Figure 2, "nextIndex[]" and "matchIndex[]"), with the flow
 * control state that decides how entries are sent to it:
 * <ul>
 *   <li>PROBE: we do not know where its log ends; send one append per heartbeat interval and
 *       back off on rejection (§5.3).</li>
 *   <li>REPLICATE: its log matches ours up to matchIndex; stream appends optimistically,
 *       advancing nextIndex on send, up to the in-flight window.</li>
 *   <li>SNAPSHOT: it needs entries we compacted; send a snapshot and wait (§7).</li>
 * </ul>
 * All state transitions happen inside this class.
 */
public final class Progress {

  public enum State { PROBE, REPLICATE, SNAPSHOT }

  // matchIndex < nextIndex: checked by raft.core.Invariants.MATCH_LT_NEXT.
  private long matchIndex;
  private long nextIndex;
  private State state = State.PROBE;
  // In SNAPSHOT state: the index of the snapshot being sent.
  private long pendingSnapshot;
  // True if the follower was heard from since the last CheckQuorum round.
  private boolean recentActive;
  // In PROBE state: an append was sent and we wait for its answer or the next heartbeat.
  private boolean probeSent;
  private final Inflights inflights;
  // A learner receives the log but never votes nor counts toward a majority (thesis §4.2.1).
  private boolean learner;

  public Progress(long matchIndex, long nextIndex, int maxInflight, long maxInflightBytes) {
    this.matchIndex = matchIndex;
    this.nextIndex = nextIndex;
    this.inflights = new Inflights(maxInflight, maxInflightBytes);
  }

  public boolean isLearner() {
    return learner;
  }

  public void setLearner(boolean learner) {
    this.learner = learner;
  }

  public long matchIndex() {
    return matchIndex;
  }

  public long nextIndex() {
    return nextIndex;
  }

  public State state() {
    return state;
  }

  public long pendingSnapshot() {
    return pendingSnapshot;
  }

  public boolean recentActive() {
    return recentActive;
  }

  public void setRecentActive(boolean active) {
    this.recentActive = active;
  }

  Inflights inflights() {
    return inflights;
  }

  private void resetState(State s) {
    probeSent = false;
    pendingSnapshot = 0;
    state = s;
    inflights.reset();
  }

  void becomeProbe() {
    // Coming back from a snapshot: the follower has at least the snapshot.
    if (state == State.SNAPSHOT) {
      long pending = pendingSnapshot;
      resetState(State.PROBE);
      nextIndex = Math.max(matchIndex + 1, pending + 1);
    } else {
      resetState(State.PROBE);
      nextIndex = matchIndex + 1;
    }
  }

  void becomeReplicate() {
    resetState(State.REPLICATE);
    nextIndex = matchIndex + 1;
  }

  public void becomeSnapshot(long snapshotIndex) {
    resetState(State.SNAPSHOT);
    pendingSnapshot = snapshotIndex;
  }

  /**
   * Records that an append carrying entries up to {@code lastIndex} ({@code bytes} in size) was
   * sent. In REPLICATE state, nextIndex moves past them at once (pipelining).
   */
  public void sentEntries(int entries, long lastIndex, long bytes) {
    if (state == State.REPLICATE) {
      if (entries > 0) {
        nextIndex = lastIndex + 1;
        inflights.add(lastIndex, bytes);
      }
    } else if (state == State.PROBE) {
      probeSent = true;
    }
  }

  /**
   * The follower answered a heartbeat: it is alive. A paused probe may try again, and a full
   * pipeline frees one slot, so that appends lost in flight cannot stall the follower forever.
   */
  public void onHeartbeatResponse() {
    if (state == State.PROBE) {
      probeSent = false;
    } else if (state == State.REPLICATE && inflights.full()) {
      inflights.freeFirstOne();
    }
  }

  /**
   * The runtime finished sending a snapshot. Either way, wait in PROBE for the follower's
   * answer (success) or the next heartbeat (failure) before sending appends again.
   */
  public void onSnapshotSent(boolean ok) {
    if (state != State.SNAPSHOT) {
      return;
    }
    if (!ok) {
      pendingSnapshot = 0;
    }
    becomeProbe();
    probeSent = true;
  }

  /** The transport could not reach the follower: stop streaming to it blindly. */
  public void onUnreachable() {
    if (state == State.REPLICATE) {
      becomeProbe();
    }
  }

  /**
   * An acknowledgement that the follower's log matches ours up to n. Returns false if it was
   * stale (it tells us nothing new).
   */
  public boolean maybeUpdate(long n) {
    boolean updated = false;
    if (matchIndex < n) {
      matchIndex = n;
      updated = true;
      probeSent = false;
    }
    nextIndex = Math.max(nextIndex, n + 1);
    return updated;
  }

  /**
   * A rejected append for prevIndex {@code rejected}; {@code matchHint} is the highest index at
   * which the follower's log may still match ours. Returns false if the rejection is stale.
   */
  boolean maybeDecrTo(long rejected, long matchHint) {
    if (state == State.REPLICATE) {
      // Rejections of appends sent before the last successful one are stale.
      if (rejected <= matchIndex) {
        return false;
      }
      nextIndex = matchIndex + 1; // retry from what we know matches
      return true;
    }
    // PROBE: only the answer to the probe we sent (prevIndex = nextIndex - 1) counts.
    if (nextIndex - 1 != rejected) {
      return false;
    }
    nextIndex = Math.max(Math.min(rejected, matchHint + 1), matchIndex + 1);
    probeSent = false;
    return true;
  }

  /**
   * The follower accepted an append: its log matches ours up to {@code index} (§5.3). Returns
   * false if the answer was stale and changed nothing. A PROBE that found the match, or a
   * SNAPSHOT whose follower now reaches entries we still hold (from {@code firstIndex} on, §7),
   * starts pipelining (REPLICATE); in REPLICATE the answer frees the in-flight slots it covers.
   */
  public boolean onAppendAccepted(long index, long firstIndex) {
    State before = state;
    // A probe answered at matchIndex is news too: the follower's log ends where we probed.
    boolean probeMatched = before == State.PROBE && matchIndex == index;
    if (!maybeUpdate(index) && !probeMatched) {
      return false;
    }
    switch (before) {
      case PROBE -> becomeReplicate();
      case SNAPSHOT -> {
        if (matchIndex + 1 >= firstIndex) {
          becomeReplicate();
        }
      }
      case REPLICATE -> inflights.freeLE(index);
    }
    return true;
  }

  /**
   * The follower rejected the append whose prevIndex was {@code rejected} (§5.3); {@code
   * matchHint} is where its log may still match ours. Returns false if the rejection was stale;
   * otherwise nextIndex has backed off, and a REPLICATE falls back to PROBE, since what was
   * pipelined after the rejected append cannot match either.
   */
  public boolean onAppendRejected(long rejected, long matchHint) {
    if (!maybeDecrTo(rejected, matchHint)) {
      return false;
    }
    if (state == State.REPLICATE) {
      becomeProbe();
    }
    return true;
  }

  /** Whether sending another append to this follower must wait. */
  public boolean isPaused() {
    return switch (state) {
      case PROBE -> probeSent;
      case REPLICATE -> inflights.full();
      case SNAPSHOT -> true;
    };
  }

  @Override
  public String toString() {
    return state + " match=" + matchIndex + " next=" + nextIndex
        + (state == State.SNAPSHOT ? " pendingSnap=" + pendingSnapshot : "")
        + " inflight=" + inflights.count();
  }
}
