package raft.kv.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static raft.kv.mvcc.Kv.b;
import static raft.kv.mvcc.Kv.get;
import static raft.kv.mvcc.Kv.op;
import static raft.kv.mvcc.Kv.put;
import static raft.kv.mvcc.Kv.valueEq;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import raft.kv.api.authpb.Permission;
import raft.kv.api.etcdserverpb.AuthEnableRequest;
import raft.kv.api.etcdserverpb.AuthRoleAddRequest;
import raft.kv.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import raft.kv.api.etcdserverpb.AuthUserGrantRoleRequest;
import raft.kv.api.etcdserverpb.DeleteRangeRequest;
import raft.kv.api.etcdserverpb.LeaseGrantRequest;
import raft.kv.api.etcdserverpb.LeaseRevokeRequest;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.auth.AuthException;
import raft.kv.lease.LeaseListener;
import raft.kv.pb.AuthHeader;
import raft.kv.pb.InternalRequest;
import raft.kv.pb.InternalUserAddRequest;

/**
 * etcd 3.4's write rules (etcdserver/apply_auth.go), applied from each entry's auth header on
 * a real state machine and auth store: user "app" has readwrite on the prefix /app/ only.
 * Every refusal carries etcd's text, and nothing is written (the revision does not move).
 */
class ApplyAuthTest {
  private final List<ApplyResult> results = new ArrayList<>();
  private final KvStateMachine sm = new KvStateMachine(2,
      (id, index, result) -> results.add(result), LeaseListener.NONE);
  private long index;

  @BeforeEach
  void rootAndApp() {
    internal(InternalRequest.newBuilder().setAuthUserAdd(user("root")));
    internal(InternalRequest.newBuilder().setAuthUserGrantRole(
        AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root")));
    internal(InternalRequest.newBuilder().setAuthUserAdd(user("app")));
    internal(InternalRequest.newBuilder().setAuthRoleAdd(
        AuthRoleAddRequest.newBuilder().setName("app-rw")));
    internal(InternalRequest.newBuilder().setAuthRoleGrantPermission(
        AuthRoleGrantPermissionRequest.newBuilder().setName("app-rw").setPerm(
            Permission.newBuilder().setPermType(Permission.Type.READWRITE).setKey(b("/app/"))
                .setRangeEnd(b("/app0")))));
    internal(InternalRequest.newBuilder().setAuthUserGrantRole(
        AuthUserGrantRoleRequest.newBuilder().setUser("app").setRole("app-rw")));
    // Written before auth is on: a key app may not touch.
    internal(InternalRequest.newBuilder().setPut(put("/secret/x", "s")));
    internal(InternalRequest.newBuilder().setAuthEnable(AuthEnableRequest.getDefaultInstance()));
    assertEquals(true, sm.auth().enabled());
  }

  private static InternalUserAddRequest user(String name) {
    return InternalUserAddRequest.newBuilder().setName(name)
        .setHashedPassword(com.google.protobuf.ByteString.copyFromUtf8("$2a$10$notused"))
        .build();
  }

  private ApplyResult internal(InternalRequest.Builder r) {
    sm.apply(++index, 1, r.setId(index).build().toByteString());
    return results.get(results.size() - 1);
  }

  private ApplyResult as(String user, InternalRequest.Builder r) {
    return internal(r.setAuthHeader(AuthHeader.newBuilder().setUsername(user)
        .setAuthRevision(sm.auth().revision())));
  }

  /** Refused with etcd's text, and nothing written. */
  private void refused(String text, String user, InternalRequest.Builder r) {
    long revision = sm.store().currentRevision();
    ApplyResult result = as(user, r);
    AuthException e = assertInstanceOf(ApplyResult.AuthRefused.class, result).error();
    assertEquals(text, e.getMessage());
    assertEquals(revision, sm.store().currentRevision(), "a refused request wrote something");
  }

  private void denied(String user, InternalRequest.Builder r) {
    refused("etcdserver: permission denied", user, r);
  }

  private static InternalRequest.Builder write(PutRequest p) {
    return InternalRequest.newBuilder().setPut(p);
  }

  private static InternalRequest.Builder txn(TxnRequest t) {
    return InternalRequest.newBuilder().setTxn(t);
  }

  @Test
  void putAndDeleteNeedWriteOnTheKey() {
    assertInstanceOf(ApplyResult.Put.class, as("app", write(put("/app/x", "1"))));
    denied("app", write(put("/secret/x", "2")));
    denied("app", InternalRequest.newBuilder().setDeleteRange(
        DeleteRangeRequest.newBuilder().setKey(b("/secret/x"))));
    // A range delete reaching outside the prefix: the whole range must be writable.
    denied("app", InternalRequest.newBuilder().setDeleteRange(
        DeleteRangeRequest.newBuilder().setKey(b("/app/")).setRangeEnd(b("/b"))));
    assertInstanceOf(ApplyResult.Put.class, as("root", write(put("/secret/x", "root"))));
  }

  @Test
  void noUserIsUserNameIsEmpty() {
    refused("etcdserver: user name is empty", "", write(put("/app/x", "1")));
  }

  @Test
  void anUnknownUserIsPermissionDenied() {
    denied("mallory", write(put("/app/x", "1"))); // etcd 3.4's isOpPermitted
  }

  @Test
  void entriesWithoutHeaderAreTheMembersOwn() {
    // A lease expiring, publish, auto-compaction: etcd runs them as root.
    assertInstanceOf(ApplyResult.Put.class, internal(write(put("/secret/y", "1"))));
  }

  @Test
  void aTokenResolvedBeforeAnAuthChangeIsOld() {
    long before = sm.auth().revision();
    as("root", InternalRequest.newBuilder().setAuthRoleAdd(
        AuthRoleAddRequest.newBuilder().setName("other")));
    long revision = sm.store().currentRevision();
    ApplyResult r = internal(write(put("/app/x", "1")).setAuthHeader(
        AuthHeader.newBuilder().setUsername("app").setAuthRevision(before)));
    AuthException e = assertInstanceOf(ApplyResult.AuthRefused.class, r).error();
    assertEquals("etcdserver: revision of auth store is old", e.getMessage());
    assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
    assertEquals(revision, sm.store().currentRevision());
  }

  @Test
  void putWithPrevKvNeedsReadToo() {
    as("root", InternalRequest.newBuilder().setAuthRoleAdd(
        AuthRoleAddRequest.newBuilder().setName("w-only")));
    as("root", InternalRequest.newBuilder().setAuthRoleGrantPermission(
        AuthRoleGrantPermissionRequest.newBuilder().setName("w-only").setPerm(
            Permission.newBuilder().setPermType(Permission.Type.WRITE).setKey(b("/w")))));
    as("root", InternalRequest.newBuilder().setAuthUserAdd(user("writer")));
    as("root", InternalRequest.newBuilder().setAuthUserGrantRole(
        AuthUserGrantRoleRequest.newBuilder().setUser("writer").setRole("w-only")));
    assertInstanceOf(ApplyResult.Put.class, as("writer", write(put("/w", "1"))));
    denied("writer", write(put("/w", "2").toBuilder().setPrevKv(true).build()));
  }

  @Test
  void txnNeedsReadOnEveryComparedKey() {
    denied("app", txn(TxnRequest.newBuilder().addCompare(valueEq("/secret/x", "s"))
        .addSuccess(op(put("/app/y", "1"))).build()));
  }

  @Test
  void txnChecksBothBranchesWhicheverRuns() {
    // The failure branch never runs (the compare holds), but it writes /secret/: refused.
    denied("app", txn(TxnRequest.newBuilder().addCompare(valueEq("/app/none", ""))
        .addSuccess(op(put("/app/y", "1"))).addFailure(op(put("/secret/y", "1"))).build()));
    denied("app", txn(TxnRequest.newBuilder().addSuccess(op(get("/secret/x"))).build()));
    assertInstanceOf(ApplyResult.Txn.class, as("app", txn(TxnRequest.newBuilder()
        .addSuccess(op(put("/app/y", "1"))).addFailure(op(get("/app/x"))).build())));
  }

  @Test
  void nestedTxnIsCheckedToo() {
    TxnRequest inner = TxnRequest.newBuilder().addSuccess(op(put("/secret/z", "1"))).build();
    denied("app", txn(TxnRequest.newBuilder().addSuccess(op(put("/app/y", "1")))
        .addSuccess(RequestOp.newBuilder().setRequestTxn(inner)).build()));
  }

  @Test
  void aLeaseWithKeysTheUserCannotWriteCanNeitherTakeMoreKeysNorBeRevoked() {
    internal(InternalRequest.newBuilder().setLeaseGrant(
        LeaseGrantRequest.newBuilder().setID(7).setTTL(60)));
    assertInstanceOf(ApplyResult.Put.class,
        as("root", write(put("/secret/l", "1").toBuilder().setLease(7).build())));
    denied("app", write(put("/app/l", "1").toBuilder().setLease(7).build()));
    denied("app", InternalRequest.newBuilder().setLeaseRevoke(
        LeaseRevokeRequest.newBuilder().setID(7)));
    assertEquals(true, sm.lessor().exists(7));
    assertInstanceOf(ApplyResult.LeaseRevoke.class, as("root", InternalRequest.newBuilder()
        .setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(7))));
  }

  @Test
  void aLeaseWithOnlyTheUsersKeysIsTheUsersToRevoke() {
    internal(InternalRequest.newBuilder().setLeaseGrant(
        LeaseGrantRequest.newBuilder().setID(8).setTTL(60)));
    assertInstanceOf(ApplyResult.Put.class,
        as("app", write(put("/app/l", "1").toBuilder().setLease(8).build())));
    assertInstanceOf(ApplyResult.LeaseRevoke.class, as("app", InternalRequest.newBuilder()
        .setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(8))));
  }
}
