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
  /**
   * §5.3, §4.3: an entry a leader commits is durable, at that moment, on a majority of the
   * voters of the configuration it counts with (of each half, when joint). Learners and a new
   * voter's Progress count for nothing but what their disks hold.
   */
  public static final String COMMITTED_ON_QUORUM = "CommittedOnQuorum";
  /**
   * Thesis §4.1 (applied as etcd does): the configuration in force at index i is a function of
   * the log up to i, so every member (its core and its state machine alike) that applied up to
   * i has the same one there. Checked only when the membership changes during the run.
   */
  public static final String MEMBERSHIP_AGREEMENT = "MembershipAgreement";
  /** The protocol threw an exception (an internal invariant failed); always checked. */
  public static final String PANIC = "Panic";
  public static final String[] ALL = {ELECTION_SAFETY, LEADER_APPEND_ONLY, LOG_MATCHING,
      LEADER_COMPLETENESS, STATE_MACHINE_SAFETY, LINEARIZABLE_READS, DURABLE_BEFORE_REPLY,
      COMMITTED_ON_QUORUM, MEMBERSHIP_AGREEMENT};

  private Property() {}
}
