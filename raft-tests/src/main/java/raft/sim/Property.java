package raft.sim;

/** The names of the guarantees the simulator checks (Figure 3 of the paper, and reads). */
public final class Property {
  public static final String ELECTION_SAFETY = "ElectionSafety";
  public static final String LEADER_APPEND_ONLY = "LeaderAppendOnly";
  public static final String LOG_MATCHING = "LogMatching";
  public static final String LEADER_COMPLETENESS = "LeaderCompleteness";
  public static final String STATE_MACHINE_SAFETY = "StateMachineSafety";
  public static final String LINEARIZABLE_READS = "LinearizableReads";
  /**
   * Figure 2, "respond to RPCs only after updating stable storage": when a member acknowledges
   * entries up to i, its disk holds them durably (so they survive any crash of it from then on,
   * until a newer leader replaces them); when it grants a vote, its durable HardState holds it.
   */
  public static final String DURABLE_BEFORE_REPLY = "DurableBeforeReply";
  /** The protocol threw an exception (an internal invariant failed); always checked. */
  public static final String PANIC = "Panic";
  public static final String[] ALL = {ELECTION_SAFETY, LEADER_APPEND_ONLY, LOG_MATCHING,
      LEADER_COMPLETENESS, STATE_MACHINE_SAFETY, LINEARIZABLE_READS, DURABLE_BEFORE_REPLY};

  private Property() {}
}
