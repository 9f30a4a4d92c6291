package raft.kv.apply;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.pb.KvState;
import raft.kv.pb.MemberChange;
import raft.pb.ConfChangeSingle;
import raft.pb.ConfChangeType;
import raft.pb.ConfState;

/**
 * The replicated membership registry (etcd's {@code membership.RaftCluster}): every member's id,
 * name, peer and client URLs and whether it is a learner, and the ids of removed members, which
 * are never used again. It changes only by applying entries, in log order on every member: a
 * ConfChange entry (its context, a {@link MemberChange}, says with what attributes; the
 * configuration the core applied says who is a voter and who a learner) or a publish entry (a
 * started member's name and client URLs). It travels in every snapshot ({@link KvState} fields
 * members and removed_members), so a restart, a backup restore and a follower caught up by
 * snapshot come back with it.
 *
 * <p>Threading: only the apply thread changes it; readers on any thread see {@link #view()}, an
 * immutable picture replaced whole after each change.
 */
public final class Membership {
  /** etcd's maxLearners: at most one learner at a time. */
  public static final int MAX_LEARNERS = 1;

  /** Why a change is refused: etcd's membership errors (membership/errors.go). */
  public enum Refusal {
    ID_REMOVED, ID_EXISTS, ID_NOT_FOUND, PEER_URL_EXISTS, MEMBER_NOT_LEARNER, TOO_MANY_LEARNERS
  }

  /** The registry at one moment: members in id order (unsigned), and the removed ids. */
  public record View(List<Member> members, Set<Long> removed) {
    public View {
      members = List.copyOf(members);
      removed = Set.copyOf(removed);
    }

    public Optional<Member> member(long id) {
      return members.stream().filter(m -> m.getID() == id).findFirst();
    }

    /** Asked on every gRPC call (LearnerGate): a plain loop, no stream or Optional per call. */
    public boolean isLearner(long id) {
      for (int i = 0; i < members.size(); i++) {
        Member m = members.get(i);
        if (m.getID() == id) {
          return m.getIsLearner();
        }
      }
      return false;
    }

    public List<Member> voters() {
      return members.stream().filter(m -> !m.getIsLearner()).toList();
    }

    public long learners() {
      return members.stream().filter(Member::getIsLearner).count();
    }
  }

  // Unsigned order: ids drawn at random may have the top bit set.
  private final TreeMap<Long, Member> members = new TreeMap<>(Long::compareUnsigned);
  private final Set<Long> removed = new HashSet<>();
  private volatile View view = new View(List.of(), Set.of());

  public View view() {
    return view;
  }

  /**
   * etcd's {@code ValidateConfigurationChange}: whether {@code type} of {@code change.member}
   * may be applied to the registry {@code v}; empty if it may.
   */
  public static Optional<Refusal> validate(View v, ConfChangeType type, MemberChange change) {
    Member m = change.getMember();
    long id = m.getID();
    if (v.removed().contains(id)) {
      return Optional.of(Refusal.ID_REMOVED);
    }
    Optional<Member> existing = v.member(id);
    return switch (type) {
      case CONF_CHANGE_ADD_NODE, CONF_CHANGE_ADD_LEARNER_NODE -> change.getIsPromote()
          ? validatePromote(existing) : validateAdd(v, m, existing.isPresent());
      case CONF_CHANGE_REMOVE_NODE -> existing.isEmpty() ? Optional.of(Refusal.ID_NOT_FOUND)
          : Optional.empty();
      case CONF_CHANGE_UPDATE_NODE -> existing.isEmpty() ? Optional.of(Refusal.ID_NOT_FOUND)
          : peerUrlTaken(v, m, id) ? Optional.of(Refusal.PEER_URL_EXISTS) : Optional.empty();
      case UNRECOGNIZED -> Optional.of(Refusal.ID_NOT_FOUND);
    };
  }

  private static Optional<Refusal> validatePromote(Optional<Member> existing) {
    if (existing.isEmpty()) {
      return Optional.of(Refusal.ID_NOT_FOUND);
    }
    return existing.get().getIsLearner() ? Optional.empty()
        : Optional.of(Refusal.MEMBER_NOT_LEARNER);
  }

  private static Optional<Refusal> validateAdd(View v, Member m, boolean exists) {
    if (exists) {
      return Optional.of(Refusal.ID_EXISTS);
    }
    if (peerUrlTaken(v, m, 0)) {
      return Optional.of(Refusal.PEER_URL_EXISTS);
    }
    if (m.getIsLearner() && v.learners() + 1 > MAX_LEARNERS) {
      return Optional.of(Refusal.TOO_MANY_LEARNERS);
    }
    return Optional.empty();
  }

  /** Whether another member than {@code except} already has one of m's peer URLs. */
  private static boolean peerUrlTaken(View v, Member m, long except) {
    Set<String> taken = new HashSet<>();
    v.members().stream().filter(o -> o.getID() != except)
        .forEach(o -> taken.addAll(o.getPeerURLsList()));
    return m.getPeerURLsList().stream().anyMatch(taken::contains);
  }

  /**
   * Applies one ConfChange entry the core has applied: each change with the attributes in
   * {@code change}, then every member's learner flag from {@code after}, the configuration now
   * in force, so that the registry and the configuration never disagree.
   */
  public void apply(List<ConfChangeSingle> changes, MemberChange change, ConfState after) {
    for (ConfChangeSingle c : changes) {
      long id = c.getNodeId();
      Member attrs = change.getMember().getID() == id ? change.getMember()
          : Member.newBuilder().setID(id).build();
      switch (c.getType()) {
        case CONF_CHANGE_ADD_NODE, CONF_CHANGE_ADD_LEARNER_NODE -> {
          if (!members.containsKey(id) && !removed.contains(id)) {
            members.put(id, attrs.toBuilder().setID(id).build());
          }
        }
        case CONF_CHANGE_REMOVE_NODE -> {
          members.remove(id);
          removed.add(id);
        }
        case CONF_CHANGE_UPDATE_NODE -> members.computeIfPresent(id, (k, m) -> m.toBuilder()
            .clearPeerURLs().addAllPeerURLs(attrs.getPeerURLsList()).build());
        default -> { } // UNRECOGNIZED: the core refused it already
      }
    }
    followConfiguration(after);
    publishView();
  }

  private void followConfiguration(ConfState after) {
    Set<Long> learners = new HashSet<>(after.getLearnersList());
    learners.addAll(after.getLearnersNextList());
    Set<Long> inConfig = new HashSet<>(learners);
    inConfig.addAll(after.getVotersList());
    inConfig.addAll(after.getVotersOutgoingList());
    for (long id : inConfig) {
      if (!removed.contains(id)) {
        Member m = members.getOrDefault(id, Member.newBuilder().setID(id).build());
        members.put(id, m.toBuilder().setIsLearner(learners.contains(id)
            && !after.getVotersList().contains(id)).build());
      }
    }
  }

  /**
   * etcd's publish: a started member's name and client URLs. Ignored for a member that is not
   * (or no longer) in the registry. Returns whether it was applied.
   */
  public boolean publish(Member attrs) {
    Member m = members.get(attrs.getID());
    if (m == null) {
      return false;
    }
    members.put(m.getID(), m.toBuilder().setName(attrs.getName()).clearClientURLs()
        .addAllClientURLs(attrs.getClientURLsList()).build());
    publishView();
    return true;
  }

  private void publishView() {
    view = new View(new ArrayList<>(members.values()), removed);
  }

  /** KvState fields 7 and 8, in id order, as {@link KvStateMachine#writeSnapshot} needs. */
  public void writeTo(CodedOutputStream out) throws IOException {
    for (Member m : members.values()) {
      out.writeMessage(KvState.MEMBERS_FIELD_NUMBER, m);
    }
    for (long id : new TreeSet<>(removed)) {
      out.writeUInt64(KvState.REMOVED_MEMBERS_FIELD_NUMBER, id);
    }
  }

  /** Replaces the registry with a snapshot's. */
  public void restoreFrom(KvState state) {
    members.clear();
    removed.clear();
    state.getMembersList().forEach(m -> members.put(m.getID(), m));
    removed.addAll(state.getRemovedMembersList());
    publishView();
  }
}
