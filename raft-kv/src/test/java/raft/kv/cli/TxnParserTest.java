package raft.kv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.Compare;
import raft.kv.api.etcdserverpb.Compare.CompareResult;
import raft.kv.api.etcdserverpb.Compare.CompareTarget;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.client.Clients;
import raft.kv.main.CliRun;

class TxnParserTest {

  private static TxnRequest parse(String text) throws Exception {
    return TxnParser.parse(new BufferedReader(new StringReader(text)), null);
  }

  @Test
  void readsEtcdctlsThreeSections() throws Exception {
    TxnRequest t = parse("""
        mod("key1") > "0"
        value("key2") = "v 2"

        put key1 "hello world"
        get key2 --prefix

        del key1
        get key1

        """);
    assertEquals(2, t.getCompareCount());
    Compare c0 = t.getCompare(0);
    assertEquals(CompareTarget.MOD, c0.getTarget());
    assertEquals(CompareResult.GREATER, c0.getResult());
    assertEquals("key1", c0.getKey().toStringUtf8());
    assertEquals(0, c0.getModRevision());
    assertEquals("v 2", t.getCompare(1).getValue().toStringUtf8());
    assertEquals(CompareResult.EQUAL, t.getCompare(1).getResult());

    assertEquals(2, t.getSuccessCount());
    assertEquals("hello world", t.getSuccess(0).getRequestPut().getValue().toStringUtf8());
    RequestOp get = t.getSuccess(1);
    assertEquals("key2", get.getRequestRange().getKey().toStringUtf8());
    assertEquals("key3", get.getRequestRange().getRangeEnd().toStringUtf8());

    assertEquals(2, t.getFailureCount());
    assertEquals("key1", t.getFailure(0).getRequestDeleteRange().getKey().toStringUtf8());
    assertEquals(RequestOp.RequestCase.REQUEST_RANGE, t.getFailure(1).getRequestCase());
  }

  @Test
  void endOfInputEndsSections() throws Exception {
    TxnRequest t = parse("version(\"k\") = \"1\"\n\nput k v");
    assertEquals(1, t.getCompareCount());
    assertEquals(1, t.getSuccessCount());
    assertEquals(0, t.getFailureCount());
  }

  @Test
  void everyTargetAndOperator() {
    Compare ver = TxnParser.parseCompare("ver(\"k\") != \"3\"");
    assertEquals(CompareTarget.VERSION, ver.getTarget());
    assertEquals(CompareResult.NOT_EQUAL, ver.getResult());
    assertEquals(3, ver.getVersion());
    Compare create = TxnParser.parseCompare("create(\"k\") = \"0\"");
    assertEquals(CompareTarget.CREATE, create.getTarget());
    assertEquals(0, create.getCreateRevision());
    assertEquals(Compare.TargetUnionCase.CREATE_REVISION, create.getTargetUnionCase());
    Compare mod = TxnParser.parseCompare("m(\"k\") < \"9\"");
    assertEquals(CompareResult.LESS, mod.getResult());
    assertEquals(9, mod.getModRevision());
    Compare lease = TxnParser.parseCompare("lease(\"k\") == \"694d71ddacfda227\"");
    assertEquals(CompareTarget.LEASE, lease.getTarget());
    assertEquals(0x694d71ddacfda227L, lease.getLease());
    Compare val = TxnParser.parseCompare("val(\"a \\\"b\\\"\") = \"x\"");
    assertEquals("a \"b\"", val.getKey().toStringUtf8());
  }

  @Test
  void opsTakeTheCommandsFlags() {
    RequestOp put = TxnParser.parseOp("put k v --lease=1f --prev-kv");
    assertEquals(0x1f, put.getRequestPut().getLease());
    assertTrue(put.getRequestPut().getPrevKv());
    RequestOp del = TxnParser.parseOp("del k --from-key");
    assertEquals("\0", del.getRequestDeleteRange().getRangeEnd().toStringUtf8());
    RequestOp get = TxnParser.parseOp("get k --rev 4 --limit 2 --keys-only");
    assertEquals(4, get.getRequestRange().getRevision());
    assertEquals(2, get.getRequestRange().getLimit());
    assertTrue(get.getRequestRange().getKeysOnly());
  }

  @Test
  void malformedLinesAreNamed() {
    assertMessage("malformed comparison: mod(k) > 0", () -> TxnParser.parseCompare("mod(k) > 0"));
    assertMessage("malformed comparison: size(\"k\") = \"1\" (unknown target size)",
        () -> TxnParser.parseCompare("size(\"k\") = \"1\""));
    assertMessage("malformed comparison: mod(\"k\") >= \"1\"",
        () -> TxnParser.parseCompare("mod(\"k\") >= \"1\""));
    assertMessage("malformed comparison: ver(\"k\") = \"one\" ('one' is not a number)",
        () -> TxnParser.parseCompare("ver(\"k\") = \"one\""));
    assertMessage("invalid txn request: watch k (expected get, put or del)",
        () -> TxnParser.parseOp("watch k"));
    Clients.Failure f = assertThrows(Clients.Failure.class,
        () -> TxnParser.parseOp("get k --nope"));
    assertTrue(f.getMessage().startsWith("invalid txn request: get k --nope ("), f.getMessage());
  }

  @Test
  void aBadTxnOnStdinExitsOneWithTheLine() {
    CliRun r = CliRun.withStdin("mod(k) > 0\n\n\n", "--endpoints", "127.0.0.1:9", "txn");
    assertEquals(1, r.exit());
    assertEquals("Error: malformed comparison: mod(k) > 0", r.errLine());
  }

  private static void assertMessage(String expected, Runnable r) {
    Clients.Failure f = assertThrows(Clients.Failure.class, r::run);
    assertEquals(expected, f.getMessage());
  }
}
