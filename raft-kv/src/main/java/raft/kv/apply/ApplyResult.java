package raft.kv.apply;

import com.google.protobuf.Message;
import raft.kv.api.etcdserverpb.AlarmResponse;
import raft.kv.api.etcdserverpb.CompactionResponse;
import raft.kv.api.etcdserverpb.DeleteRangeResponse;
import raft.kv.api.etcdserverpb.LeaseGrantResponse;
import raft.kv.api.etcdserverpb.LeaseKeepAliveResponse;
import raft.kv.api.etcdserverpb.LeaseRevokeResponse;
import raft.kv.api.etcdserverpb.PutResponse;
import raft.kv.api.etcdserverpb.TxnResponse;
import raft.kv.mvcc.KvException;

/**
 * What applying one request produced: its response ({@link Applied}, one record per kind of
 * request, so a waiting client gets the type it asked for without a cast) or the refusal
 * ({@link Refused}). Responses carry header.revision; the server fills in the rest.
 */
public sealed interface ApplyResult {

  /** The request was executed; {@code response()} is etcd's response to it. */
  sealed interface Applied<R extends Message> extends ApplyResult {
    R response();
  }

  record Put(PutResponse response) implements Applied<PutResponse> {}

  record DeleteRange(DeleteRangeResponse response) implements Applied<DeleteRangeResponse> {}

  record Txn(TxnResponse response) implements Applied<TxnResponse> {}

  record Compaction(CompactionResponse response) implements Applied<CompactionResponse> {}

  record LeaseGrant(LeaseGrantResponse response) implements Applied<LeaseGrantResponse> {}

  record LeaseRevoke(LeaseRevokeResponse response) implements Applied<LeaseRevokeResponse> {}

  record LeaseKeepAlive(LeaseKeepAliveResponse response)
      implements Applied<LeaseKeepAliveResponse> {}

  record Alarm(AlarmResponse response) implements Applied<AlarmResponse> {}

  /**
   * A started member's name and client URLs were recorded ({@code response} is what was
   * published), or ignored because the member is not in the registry (the default instance).
   */
  record Published(raft.kv.api.etcdserverpb.Member response)
      implements Applied<raft.kv.api.etcdserverpb.Member> {}

  /**
   * A membership change was applied, or refused (by the core, {@code coreRefusal}, or by the
   * registry's rules, {@code refusal}); {@code members} is the registry after it.
   */
  record MemberChanged(java.util.List<raft.kv.api.etcdserverpb.Member> members,
      Membership.Refusal refusal, String coreRefusal) implements ApplyResult {
    public boolean ok() {
      return refusal == null && coreRefusal == null;
    }
  }

  /**
   * An auth request was applied (raft.kv.auth.AuthStore): {@code response} is etcd's response
   * to it (AuthUserAddResponse for UserAdd...), header revision set.
   */
  record Auth(Message response) implements Applied<Message> {}

  /** The state machine refused the request (or the entry did not parse); nothing changed. */
  record Refused(KvException error) implements ApplyResult {}

  /** The auth store refused the request (etcd's auth errors); nothing changed. */
  record AuthRefused(raft.kv.auth.AuthException error) implements ApplyResult {}
}
