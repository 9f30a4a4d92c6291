package raft.kv.apply;

import raft.pb.ConfState;

/** Told on the apply thread when the membership registry changed; must not block. */
public interface MembershipListener {
  MembershipListener NONE = (index, view, conf, restored) -> { };

  /**
   * The registry is now {@code view}, as of the entry (or snapshot, {@code restored}) at
   * {@code index}; {@code conf} is the configuration the core applied there, null after a
   * snapshot restore or a publish (the registry's learner flags say the same).
   */
  void changed(long index, Membership.View view, ConfState conf, boolean restored);
}
