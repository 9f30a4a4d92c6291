package raft.kv.apply;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import raft.kv.api.etcdserverpb.AlarmType;
import raft.kv.api.etcdserverpb.LeaseGrantResponse;
import raft.kv.api.etcdserverpb.LeaseKeepAliveRequest;
import raft.kv.api.etcdserverpb.LeaseKeepAliveResponse;
import raft.kv.api.etcdserverpb.LeaseRevokeResponse;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.api.etcdserverpb.ResponseHeader;
import raft.kv.auth.AuthException;
import raft.kv.auth.AuthStore;
import raft.kv.auth.AuthView;
import raft.kv.auth.TokenKeeper;
import raft.kv.lease.LeaseListener;
import raft.kv.lease.Lessor;
import raft.kv.mvcc.KvException;
import raft.kv.mvcc.MvccStore;
import raft.kv.mvcc.Sizes;
import raft.kv.pb.InternalRequest;
import raft.kv.pb.KvState;
import raft.kv.pb.MemberChange;
import raft.kv.watch.WatchHub;
import raft.pb.ConfChangeV2;
import raft.pb.ConfState;
import raft.runtime.StateMachine;

/**
 * The replicated state machine of the key-value server: each committed entry carries one
 * {@link InternalRequest}, executed on the {@link MvccStore} and the {@link Lessor}.
 *
 * <p>Determinism: applying reads no clock and no randomness; a lease granted with ID 0 gets an
 * id derived from the entry index. A request the store refuses, and an entry that does not parse,
 * become an error result for the {@link ApplyListener}; nothing escapes {@link #apply}.
 *
 * <p>Threading: {@link #apply}, {@link #snapshot} and {@link #restore} are called on the
 * runtime's apply thread (see {@link StateMachine}); {@link #appliedIndex} and the reads of the
 * store, lessor and hub may be called from any thread.
 */
public final class KvStateMachine implements StateMachine {
  private final Lessor lessor;
  private final MvccStore store;
  private final WatchHub watchHub;
  private final Alarms alarms = new Alarms();
  private final Membership membership = new Membership();
  private final AuthStore auth;
  private volatile MembershipListener membershipListener = MembershipListener.NONE;
  private final ApplyListener applyListener;
  private final LeaseListener leaseListener;
  private final ProposedRequests proposed;
  // Invariant: only the apply thread writes it.
  private volatile long appliedIndex;

  public KvStateMachine(
      long minLeaseTtlSeconds, ApplyListener applyListener, LeaseListener leaseListener) {
    this(minLeaseTtlSeconds, applyListener, leaseListener, new TokenKeeper());
  }

  /** {@code tokens}: the member's simple tokens, registered as Authenticate entries apply. */
  public KvStateMachine(long minLeaseTtlSeconds, ApplyListener applyListener,
      LeaseListener leaseListener, TokenKeeper tokens) {
    this(minLeaseTtlSeconds, applyListener, leaseListener, tokens,
        new ProposedRequests(ProposedRequests.DEFAULT_ENABLED));
  }

  KvStateMachine(long minLeaseTtlSeconds, ApplyListener applyListener,
      LeaseListener leaseListener, TokenKeeper tokens, ProposedRequests proposed) {
    this.proposed = proposed;
    this.auth = new AuthStore(tokens);
    this.lessor = new Lessor(minLeaseTtlSeconds);
    this.store = new MvccStore(lessor);
    this.watchHub = new WatchHub(store);
    this.applyListener = applyListener;
    this.leaseListener = leaseListener;
  }

  public KvStateMachine() {
    this(2, ApplyListener.NONE, LeaseListener.NONE);
  }

  /** Where this member's gateway hands over the requests it proposes (ProposedRequests). */
  public ProposedRequests proposed() {
    return proposed;
  }

  @Override
  public void apply(long index, long term, ByteString data) {
    appliedIndex = index;
    if (data.isEmpty()) {
      return; // §8: the no-op entry of a new leader; nothing to execute
    }
    InternalRequest req = proposed.take(data); // the proposer's own request, not parsed again
    if (req == null) {
      try {
        // Aliasing: keys and values become views of the entry's bytes, not copies, so the log
        // and the store share them (entry data is immutable).
        CodedInputStream in = data.newCodedInput();
        in.enableAliasing(true);
        req = InternalRequest.parseFrom(in);
      } catch (IOException e) { // InvalidProtocolBufferException: the bytes are in memory
        applyListener.applied(0, index, malformed(index));
        return;
      }
    }
    ApplyResult result;
    try {
      result = execute(req, index);
    } catch (KvException refused) {
      result = new ApplyResult.Refused(refused);
    } catch (AuthException refused) {
      result = new ApplyResult.AuthRefused(refused);
    }
    applyListener.applied(req.getId(), index, result);
  }

  private ApplyResult execute(InternalRequest req, long index) {
    ApplyAuth.check(req, auth.view(), lessor); // first, as etcd's auth applier wraps the others
    if (AuthStore.isAuth(req)) {
      return new ApplyResult.Auth(withHeader(auth.apply(req, index, requester(req))));
    }
    if (Sizes.of(req) > 0 && alarms.isRaised(AlarmType.NOSPACE)) {
      // etcd's capped applier: puts, txns with puts and lease grants are refused; reads,
      // deletes and compaction still go, so that the store can be emptied.
      throw KvException.noSpace();
    }
    return switch (req.getRequestCase()) {
      case PUT -> new ApplyResult.Put(store.put(req.getPut()));
      case DELETE_RANGE -> new ApplyResult.DeleteRange(store.deleteRange(req.getDeleteRange()));
      case TXN -> new ApplyResult.Txn(store.txn(req.getTxn()));
      case COMPACTION -> new ApplyResult.Compaction(store.compact(req.getCompaction()));
      case LEASE_GRANT -> new ApplyResult.LeaseGrant(grant(req, index));
      case LEASE_REVOKE -> new ApplyResult.LeaseRevoke(revoke(req.getLeaseRevoke().getID()));
      case LEASE_KEEP_ALIVE -> new ApplyResult.LeaseKeepAlive(keepAlive(req.getLeaseKeepAlive()));
      case PUBLISH -> publish(req.getPublish(), index);
      case ALARM -> new ApplyResult.Alarm(alarms.apply(req.getAlarm()).toBuilder()
          .setHeader(header(store.currentRevision())).build());
      // An entry of a kind this member does not know (or none): refused, not a crash.
      default -> malformed(index);
    };
  }

  private LeaseGrantResponse grant(InternalRequest req, long index) {
    LeaseGrantResponse resp = lessor.grant(req.getLeaseGrant(), index);
    leaseListener.granted(resp.getID(), resp.getTTL());
    return resp.toBuilder().setHeader(header(store.currentRevision())).build();
  }

  private LeaseRevokeResponse revoke(long id) {
    long revision = lessor.revoke(id, store);
    leaseListener.revoked(id);
    return LeaseRevokeResponse.newBuilder().setHeader(header(revision)).build();
  }

  private LeaseKeepAliveResponse keepAlive(LeaseKeepAliveRequest req) {
    LeaseKeepAliveResponse resp = lessor.keepAlive(req);
    leaseListener.renewed(resp.getID(), resp.getTTL());
    return resp.toBuilder().setHeader(header(store.currentRevision())).build();
  }

  private ApplyResult publish(Member attrs, long index) {
    boolean applied = membership.publish(attrs);
    if (applied) {
      membershipListener.changed(index, membership.view(), null, false);
    }
    return new ApplyResult.Published(applied ? attrs : Member.getDefaultInstance());
  }

  /**
   * A membership change the core has applied (or refused: {@code refused}, and the
   * configuration is unchanged). The registry follows the configuration the core applied,
   * whatever its own rules say: they were checked before proposing (as etcd checks before
   * proposing and again when applying), and a registry that disagreed with the configuration
   * would send messages to members that are not there. A change the rules would refuse now can
   * only have raced another change; it is applied, and the proposer told it is refused.
   */
  @Override
  public void applyConfChange(long index, long term, ConfChangeV2 cc, ConfState after,
      String refused) {
    appliedIndex = index;
    MemberChange change = memberChange(cc);
    if (refused != null) {
      applyListener.applied(change.getRequestId(), index, new ApplyResult.MemberChanged(
          membership.view().members(), null, refused));
      return;
    }
    Membership.Refusal broken = cc.getChangesCount() == 1 ? Membership.validate(
        membership.view(), cc.getChanges(0).getType(), change).orElse(null) : null;
    membership.apply(cc.getChangesList(), change, after);
    // The proposer first: a member that removed itself stops when its listener hears it.
    applyListener.applied(change.getRequestId(), index,
        new ApplyResult.MemberChanged(membership.view().members(), broken, null));
    membershipListener.changed(index, membership.view(), after, false);
  }

  private static MemberChange memberChange(ConfChangeV2 cc) {
    try {
      return MemberChange.parseFrom(cc.getContext());
    } catch (InvalidProtocolBufferException e) {
      return MemberChange.getDefaultInstance(); // not ours (a test's): the ids alone
    }
  }

  /**
   * Who proposed the entry, as the proposing member authenticated it (etcd's
   * InternalRaftRequest.header.username); empty for internal entries and while auth is off.
   */
  static String requester(InternalRequest req) {
    return req.getAuthHeader().getUsername();
  }

  // Auth responses carry the store's revision, as etcd's do.
  private Message withHeader(Message response) {
    FieldDescriptor f = response.getDescriptorForType().findFieldByName("header");
    return response.toBuilder().setField(f, header(store.currentRevision())).build();
  }

  private static ApplyResult.Refused malformed(long index) {
    return new ApplyResult.Refused(KvException.malformedEntry(index));
  }

  private static ResponseHeader header(long revision) {
    return ResponseHeader.newBuilder().setRevision(revision).build();
  }

  @Override
  public void writeSnapshot(OutputStream out) throws IOException {
    // A KvState, written field by field (the same bytes as building the message and
    // serializing it) so that the history is never copied whole into message objects.
    CodedOutputStream state = CodedOutputStream.newInstance(out);
    if (appliedIndex != 0) {
      state.writeUInt64(KvState.APPLIED_INDEX_FIELD_NUMBER, appliedIndex);
    }
    store.writeTo(state);
    lessor.writeTo(state);
    alarms.writeTo(state);
    membership.writeTo(state);
    auth.writeTo(state, KvState.AUTH_FIELD_NUMBER);
    state.flush();
  }

  /**
   * Replaces the whole state. Existing watchers end with {@code compacted} (their history was
   * replaced wholesale); the lease listener hears every old lease revoked and every restored
   * lease granted, so countdowns restart from the full TTL.
   */
  @Override
  public void restore(long index, ByteString data) {
    KvState state;
    try {
      state = KvState.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("snapshot at index " + index + " does not parse", e);
    }
    List<Long> before = lessor.leaseIds();
    lessor.restoreFrom(state);
    store.restoreFrom(state);
    alarms.restoreFrom(state);
    membership.restoreFrom(state);
    auth.restore(state.getAuth(), state.hasAuth());
    appliedIndex = index;
    membershipListener.changed(index, membership.view(), null, true);
    watchHub.cancelAll(store.compactRevision());
    before.forEach(leaseListener::revoked);
    state.getLeasesList().forEach(l -> leaseListener.granted(l.getId(), l.getTtl()));
  }

  public long appliedIndex() {
    return appliedIndex;
  }

  public MvccStore store() {
    return store;
  }

  /** The auth state now (published after every auth entry applied): any thread. */
  public AuthView auth() {
    return auth.view();
  }

  /** The member's simple tokens (registered here as Authenticate entries apply). */
  public TokenKeeper tokens() {
    return auth.tokens();
  }

  /** The auth store, for backups (etcd's auth buckets): its state as a snapshot message. */
  public AuthStore authStore() {
    return auth;
  }

  public Lessor lessor() {
    return lessor;
  }

  public Membership.View membership() {
    return membership.view();
  }

  /** Set before the runtime starts: told of every change of the registry. */
  public void setMembershipListener(MembershipListener l) {
    membershipListener = l;
  }

  public Alarms alarms() {
    return alarms;
  }

  public WatchHub watchHub() {
    return watchHub;
  }
}
