package raft.kv.apply;

import raft.kv.auth.AuthView;
import raft.kv.auth.Permissions;
import raft.kv.lease.LeaseInfo;
import raft.kv.lease.Lessor;
import raft.kv.pb.AuthHeader;
import raft.kv.pb.InternalRequest;

/**
 * etcd's authApplierV3 for key-value writes: checked when the entry is applied, against the auth
 * state the log has reached at that entry, so every member refuses the same writes and a
 * refusal reaches the waiting client as the entry's result, nothing written. Runs before the
 * space quota's check, as etcd's auth applier wraps its quota applier.
 *
 * <p>Only entries with an auth header are checked: the server sets one (empty user when the
 * client sent no token) on every client request it proposes; the member's own entries (a lease
 * expiring, auto-compaction, publish) have none, as etcd runs those as root.
 */
final class ApplyAuth {
  private ApplyAuth() {}

  static void check(InternalRequest req, AuthView view, Lessor lessor) {
    if (!req.hasAuthHeader() || !view.enabled()) {
      return;
    }
    AuthHeader h = req.getAuthHeader();
    Permissions p = new Permissions(view, h.getUsername(), h.getAuthRevision());
    Permissions.LeaseKeys keys = id -> lessor.lookup(id).map(LeaseInfo::keys);
    switch (req.getRequestCase()) {
      case PUT -> p.put(req.getPut(), keys);
      case DELETE_RANGE -> p.deleteRange(req.getDeleteRange());
      case TXN -> p.txn(req.getTxn());
      case LEASE_REVOKE -> p.leasePuts(req.getLeaseRevoke().getID(), keys);
      // etcd 3.4 checks nothing else at apply for key-value entries: compaction, lease grant
      // and keep-alive, alarms are open to any client (apply_auth.go overrides none of them).
      default -> { }
    }
  }
}
