package raft.kv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.DeleteRangeResponse;
import raft.kv.api.etcdserverpb.LeaseGrantResponse;
import raft.kv.api.etcdserverpb.LeaseKeepAliveResponse;
import raft.kv.api.etcdserverpb.LeaseLeasesResponse;
import raft.kv.api.etcdserverpb.LeaseStatus;
import raft.kv.api.etcdserverpb.LeaseTimeToLiveResponse;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.api.etcdserverpb.MemberListResponse;
import raft.kv.api.etcdserverpb.PutResponse;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.api.etcdserverpb.ResponseHeader;
import raft.kv.api.etcdserverpb.ResponseOp;
import raft.kv.api.etcdserverpb.StatusResponse;
import raft.kv.api.etcdserverpb.TxnResponse;
import raft.kv.api.mvccpb.Event;
import raft.kv.api.mvccpb.KeyValue;

/** Our output beside etcdctl 3.4's, for the same responses. */
class PrinterTest {

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(k))
        .setValue(ByteString.copyFromUtf8(v)).setCreateRevision(2).setModRevision(3)
        .setVersion(2).build();
  }

  @Test
  void putAndGet() {
    assertEquals("OK\n", Printer.put(PutResponse.getDefaultInstance()));
    assertEquals("OK\nk\nold\n", Printer.put(PutResponse.newBuilder()
        .setPrevKv(kv("k", "old")).build()));
    RangeResponse r = RangeResponse.newBuilder().addKvs(kv("a", "1")).addKvs(kv("b", "2"))
        .setCount(2).build();
    assertEquals("a\n1\nb\n2\n", Printer.get(r, false));
    assertEquals("1\n2\n", Printer.get(r, true));
    RangeResponse keysOnly = RangeResponse.newBuilder().addKvs(kv("a", "")).build();
    assertEquals("a\n\n", Printer.get(keysOnly, false)); // etcdctl 3.4 prints the blank value
  }

  @Test
  void delAndTxn() {
    DeleteRangeResponse d = DeleteRangeResponse.newBuilder().setDeleted(1)
        .addPrevKvs(kv("k", "v")).build();
    assertEquals("1\nk\nv\n", Printer.del(d));
    TxnResponse t = TxnResponse.newBuilder().setSucceeded(true)
        .addResponses(ResponseOp.newBuilder().setResponsePut(PutResponse.getDefaultInstance()))
        .addResponses(ResponseOp.newBuilder().setResponseRange(
            RangeResponse.newBuilder().addKvs(kv("k", "v"))))
        .build();
    assertEquals("SUCCESS\n\nOK\n\nk\nv\n", Printer.txn(t));
    assertEquals("FAILURE\n", Printer.txn(TxnResponse.getDefaultInstance()));
  }

  @Test
  void watchEvents() {
    assertEquals("PUT\nk\nv\n", Printer.event(Event.newBuilder().setKv(kv("k", "v")).build()));
    Event del = Event.newBuilder().setType(Event.EventType.DELETE)
        .setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("k"))).setPrevKv(kv("k", "v"))
        .build();
    assertEquals("DELETE\nk\nv\nk\n\n", Printer.event(del));
  }

  @Test
  void leases() {
    long id = 0x694d71ddacfda227L;
    assertEquals("lease 694d71ddacfda227 granted with TTL(10s)\n",
        Printer.leaseGrant(LeaseGrantResponse.newBuilder().setID(id).setTTL(10).build()));
    assertEquals("lease 0000000000000001 revoked\n", Printer.leaseRevoked(1));
    assertEquals("lease 694d71ddacfda227 keepalived with TTL(10)\n",
        Printer.keepAlive(LeaseKeepAliveResponse.newBuilder().setID(id).setTTL(10).build()));
    LeaseTimeToLiveResponse ttl = LeaseTimeToLiveResponse.newBuilder().setID(id).setTTL(7)
        .setGrantedTTL(10).addKeys(ByteString.copyFromUtf8("a"))
        .addKeys(ByteString.copyFromUtf8("b")).build();
    assertEquals("lease 694d71ddacfda227 granted with TTL(10s), remaining(7s)\n",
        Printer.timeToLive(ttl, false));
    assertEquals("lease 694d71ddacfda227 granted with TTL(10s), remaining(7s),"
        + " attached keys([a b])\n", Printer.timeToLive(ttl, true));
    assertEquals("lease 694d71ddacfda227 already expired\n",
        Printer.timeToLive(ttl.toBuilder().setTTL(-1).build(), false));
    assertEquals("found 2 leases\n0000000000000001\n694d71ddacfda227\n",
        Printer.leases(LeaseLeasesResponse.newBuilder().addLeases(LeaseStatus.newBuilder()
            .setID(1)).addLeases(LeaseStatus.newBuilder().setID(id)).build()));
  }

  private static MemberListResponse members() {
    return MemberListResponse.newBuilder()
        .addMembers(Member.newBuilder().setID(1).setName("n1")
            .addPeerURLs("http://127.0.0.1:12380").addClientURLs("http://127.0.0.1:2379"))
        .addMembers(Member.newBuilder().setID(0xc89feb932daef420L)
            .addPeerURLs("http://127.0.0.1:22380"))
        .build();
  }

  @Test
  void memberListSimpleAndTable() {
    assertEquals("1, started, n1, http://127.0.0.1:12380, http://127.0.0.1:2379, false\n"
        + "c89feb932daef420, unstarted, , http://127.0.0.1:22380, , false\n",
        Printer.members(members(), false));
    assertEquals("""
        +------------------+-----------+------+------------------------+-----------------------+------------+
        |        ID        |  STATUS   | NAME |       PEER ADDRS       |     CLIENT ADDRS      | IS LEARNER |
        +------------------+-----------+------+------------------------+-----------------------+------------+
        |                1 | started   | n1   | http://127.0.0.1:12380 | http://127.0.0.1:2379 |      false |
        | c89feb932daef420 | unstarted |      | http://127.0.0.1:22380 |                       |      false |
        +------------------+-----------+------+------------------------+-----------------------+------------+
        """, Printer.members(members(), true));
  }

  @Test
  void endpointStatus() {
    StatusResponse s = StatusResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setMemberId(0x8e9e05c52164694dL))
        .setVersion("3.4.0").setDbSize(24_576).setLeader(0x8e9e05c52164694dL).setRaftTerm(2)
        .setRaftIndex(4).setRaftAppliedIndex(4).build();
    assertEquals("127.0.0.1:2379, 8e9e05c52164694d, 3.4.0, 25 kB, true, false, 2, 4, 4, \n",
        Printer.endpointStatus(List.of(new Printer.EndpointStatus("127.0.0.1:2379", s)), false));
  }

  @Test
  void etcdctlsJson() {
    RangeResponse r = RangeResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setClusterId(-1L).setRevision(3))
        .addKvs(kv("foo", "bar")).setCount(1).build();
    assertEquals("{\"header\":{\"cluster_id\":18446744073709551615,\"revision\":3},"
        + "\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":2,\"mod_revision\":3,\"version\":2,"
        + "\"value\":\"YmFy\"}],\"count\":1}", Json.of(r));
    assertEquals("{\"members\":[{\"ID\":1,\"name\":\"n1\",\"peerURLs\":[\"http://127.0.0.1:12380\"],"
        + "\"clientURLs\":[\"http://127.0.0.1:2379\"]},{\"ID\":"
        + Long.toUnsignedString(0xc89feb932daef420L) + ","
        + "\"peerURLs\":[\"http://127.0.0.1:22380\"]}]}", Json.of(members()));
  }

  @Test
  void goStyleNumbers() {
    assertEquals("0 B", Printer.humanBytes(0));
    assertEquals("999 B", Printer.humanBytes(999));
    assertEquals("1.0 kB", Printer.humanBytes(1000));
    assertEquals("25 kB", Printer.humanBytes(24_576));
    assertEquals("1.6 MB", Printer.humanBytes(1_572_864));
    // 20.5 kB: Go's %.0f rounds the half to even (etcdctl snapshot status of a 20,480-byte db).
    assertEquals("20 kB", Printer.humanBytes(20_480));
    assertEquals("22 kB", Printer.humanBytes(21_500));
    assertEquals("512ns", Printer.goDuration(512));
    assertEquals("1.5µs", Printer.goDuration(1_500));
    assertEquals("2.123456ms", Printer.goDuration(2_123_456));
    assertEquals("3s", Printer.goDuration(3_000_000_000L));
  }
}
