package raft.kv.auth;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Optional;
import raft.kv.api.etcdserverpb.Compare;
import raft.kv.api.etcdserverpb.DeleteRangeRequest;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.TxnRequest;

/**
 * etcd 3.4's permission rules for key-value requests (etcdserver/apply_auth.go), over one
 * {@link AuthView}: which keys a request needs to read and to write. The same rules run where
 * etcd runs them: for writes when the entry is applied (on every member, from the entry's
 * auth header), for reads on the member that serves them.
 *
 * <p>Each method returns normally when permitted, else throws {@link AuthException} with etcd's
 * text. Auth disabled: everything is permitted.
 */
public final class Permissions {
  /** What a lease has attached, for the lease rules (the lessor, at apply time). */
  public interface LeaseKeys {
    Optional<List<ByteString>> keys(long leaseId);
  }

  private final AuthView view;
  private final String user;
  private final long revision;

  /**
   * @param revision the auth revision the caller's token was resolved at (0: no token);
   *     older than the view's means the auth state changed since: etcd's ErrAuthOldRevision
   */
  public Permissions(AuthView view, String user, long revision) {
    this.view = view;
    this.user = user;
    this.revision = revision;
  }

  private void check(ByteString key, ByteString rangeEnd, PermType type) {
    if (!view.enabled()) {
      return;
    }
    if (revision != 0 && revision < view.revision()) {
      throw AuthException.authOldRevision();
    }
    view.checkPermitted(user, key, rangeEnd, type);
  }

  public void range(RangeRequest r) {
    check(r.getKey(), r.getRangeEnd(), PermType.READ);
  }

  /** Write on the key; read too if it returns the previous value; the lease rule. */
  public void put(PutRequest r, LeaseKeys leases) {
    check(r.getKey(), ByteString.EMPTY, PermType.WRITE);
    leasePuts(r.getLease(), leases);
    if (r.getPrevKv()) {
      check(r.getKey(), ByteString.EMPTY, PermType.READ);
    }
  }

  public void deleteRange(DeleteRangeRequest r) {
    check(r.getKey(), r.getRangeEnd(), PermType.WRITE);
    if (r.getPrevKv()) {
      check(r.getKey(), r.getRangeEnd(), PermType.READ);
    }
  }

  /**
   * etcd's checkTxnAuth: read on every compared key, then every op of BOTH branches (whichever
   * runs), nested txns likewise. As in etcd, a put inside a txn needs write on its key only
   * (neither its prev_kv nor its lease is checked there).
   */
  public void txn(TxnRequest r) {
    for (Compare c : r.getCompareList()) {
      check(c.getKey(), c.getRangeEnd(), PermType.READ);
    }
    ops(r.getSuccessList());
    ops(r.getFailureList());
  }

  private void ops(List<RequestOp> ops) {
    for (RequestOp op : ops) {
      switch (op.getRequestCase()) {
        case REQUEST_RANGE -> range(op.getRequestRange());
        case REQUEST_PUT -> check(op.getRequestPut().getKey(), ByteString.EMPTY, PermType.WRITE);
        case REQUEST_DELETE_RANGE -> {
          DeleteRangeRequest d = op.getRequestDeleteRange();
          if (d.getPrevKv()) {
            check(d.getKey(), d.getRangeEnd(), PermType.READ);
          }
          check(d.getKey(), d.getRangeEnd(), PermType.WRITE);
        }
        case REQUEST_TXN -> txn(op.getRequestTxn());
        default -> { } // an empty op touches nothing
      }
    }
  }

  /**
   * etcd's checkLeasePuts: attaching a key to a lease, or revoking it, needs write on every key
   * the lease already has (revoking deletes them; a user who could not revoke must not attach).
   * Root passes at once; an unknown lease passes (the store refuses it after).
   */
  public void leasePuts(long leaseId, LeaseKeys leases) {
    if (leaseId == 0 || !view.enabled()) {
      return;
    }
    Optional<List<ByteString>> keys = leases.keys(leaseId);
    if (keys.isEmpty() || isAdmin()) {
      return;
    }
    for (ByteString key : keys.get()) {
      check(key, ByteString.EMPTY, PermType.WRITE);
    }
  }

  public void admin() {
    if (view.enabled()) {
      view.checkAdmin(user);
    }
  }

  private boolean isAdmin() {
    try {
      view.checkAdmin(user);
      return true;
    } catch (AuthException notAdmin) {
      return false;
    }
  }
}
