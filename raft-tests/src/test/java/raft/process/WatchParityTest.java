package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import raft.kv.api.etcdserverpb.DeleteRangeRequest;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.PutResponse;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.ResponseHeader;
import raft.kv.api.etcdserverpb.StatusRequest;
import raft.kv.api.etcdserverpb.StatusResponse;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.api.etcdserverpb.WatchCreateRequest;
import raft.kv.api.etcdserverpb.WatchGrpc;
import raft.kv.api.etcdserverpb.WatchProgressRequest;
import raft.kv.api.etcdserverpb.WatchRequest;
import raft.kv.api.etcdserverpb.WatchResponse;
import raft.kv.api.mvccpb.Event;
import raft.kv.api.mvccpb.KeyValue;

/**
 * Issue 16: watch responses as real etcd 3.4.23 sends them. The same writes go to a real etcd
 * (one member, ports 2614/2615) and to our three-member cluster (offset 20), then the same
 * watches are opened on both and their responses compared field by field: grouping, header
 * revisions, events (cluster and member ids and the raft term differ, so they are cleared;
 * revisions are compared relative to each store's revision before the first write, which is
 * 1 on both). Both run once for all methods, which run in order (each adds writes to both).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WatchParityTest {
  private static final int OFFSET = 20;
  private static final int ETCD_CLIENT = 2379 + 235;
  private static final int ETCD_PEER = 2380 + 235;
  /** Ours only: etcd 3.4 fixes its interval at 10 minutes. */
  private static final String PROGRESS_FLAGS = "--experimental-watch-progress-notify-interval 1s";
  private static final long QUIET_MILLIS = 2000;

  private static MemberProcess etcd;
  private static LocalCluster ours;
  private static Side etcdSide;
  private static Side ourSide;

  /** One store under test: its channel, and its revision before this test's first write. */
  private record Side(String name, ManagedChannel channel, long base) {
    KVGrpc.KVBlockingStub kv() {
      return KVGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    Preconditions.requireEtcdctl();
    Path dir = LocalCluster.REPO.resolve("raft-tests/target/watchparity-etcd");
    deleteTree(dir);
    etcd = MemberProcess.etcd(dir, ETCD_CLIENT, ETCD_PEER);
    ours = new LocalCluster(3, OFFSET, "watchparity").withServerFlags(PROGRESS_FLAGS).start();
    ManagedChannel e = ManagedChannelBuilder.forTarget("127.0.0.1:" + ETCD_CLIENT)
        .usePlaintext().build();
    etcdSide = new Side("etcd", e, awaitRevision(e));
    ourSide = new Side("ours", ours.channel(2), awaitRevision(ours.channel(2)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (etcdSide != null) {
      etcdSide.channel().shutdownNow();
    }
    if (ours != null) {
      ours.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  @org.junit.jupiter.api.Order(1)
  @DisplayName("a watch from a past revision: puts, deletes, multi-event txns, a key range, "
      + "filters, prev_kv: the same responses as etcd 3.4")
  void catchUpMatchesEtcd() throws Exception {
    for (Side s : List.of(etcdSide, ourSide)) {
      writeSequence(s);
    }
    List<WatchCreateRequest.Builder> watches = List.of(
        create("w/", "w0", 1).setPrevKv(true),
        create("w/a", "w/c", 1),
        create("w/", "w0", 1).addFilters(WatchCreateRequest.FilterType.NOPUT),
        create("w/a", "", 4),
        create("\0", "\0", 1));
    compareWatches(watches);
  }

  // Eleven revisions, several with more than one event, one outside the "w/" prefix.
  private static void writeSequence(Side s) {
    KVGrpc.KVBlockingStub kv = s.kv();
    kv.put(put("w/a", "1"));
    kv.put(put("w/b", "1"));
    kv.put(put("w/c", "1"));
    kv.txn(TxnRequest.newBuilder().addSuccess(op(put("w/a", "2")))
        .addSuccess(op(put("w/d", "1"))).addSuccess(op(put("w/x", "1"))).build());
    kv.deleteRange(del("w/b", ""));
    kv.txn(TxnRequest.newBuilder().addSuccess(op(put("w/b", "2")))
        .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(del("w/c", ""))).build());
    kv.deleteRange(del("w/a", "w/e").toBuilder().setPrevKv(true).build());
    kv.put(put("w/a", "3"));
    kv.put(put("other/z", "1"));
    kv.put(put("w/c", "2"));
    kv.put(put("w/x", "2"));
  }

  @Test
  @org.junit.jupiter.api.Order(2)
  @DisplayName("2,500 revisions behind: responses of at most 1,000 revisions, each headed by the "
      + "current revision, as etcd 3.4")
  void moreThanAThousandRevisionsComeInBatchesAsEtcds() throws Exception {
    long first = 0;
    for (Side s : List.of(etcdSide, ourSide)) {
      first = rel(currentRevision(s) + 1, s.base());
      bulkPuts(s, 2500);
    }
    List<WatchCreateRequest.Builder> watches = List.of(
        create("bulk", "", first),
        create("\0", "\0", 1).setPrevKv(true));
    List<List<WatchResponse>> mine = compareWatches(watches);
    // The single-key watch: 2,500 revisions in three responses, 1,000, 1,000 and 500.
    List<Integer> sizes = mine.get(0).stream().skip(1).map(WatchResponse::getEventsCount)
        .toList();
    assertEquals(List.of(1000, 1000, 500), sizes);
  }

  // The same put (same key and value) 2,500 times, 64 in flight: the stores end up equal
  // whatever order they arrive in.
  private static void bulkPuts(Side s, int n) throws Exception {
    Semaphore inFlight = new Semaphore(64);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    KVGrpc.KVStub kv = KVGrpc.newStub(s.channel());
    for (int i = 0; i < n; i++) {
      assertTrue(inFlight.tryAcquire(30, TimeUnit.SECONDS), s.name() + ": puts stalled");
      kv.withDeadlineAfter(30, TimeUnit.SECONDS).put(put("bulk", "x"), new StreamObserver<>() {
        @Override
        public void onNext(PutResponse r) { }

        @Override
        public void onError(Throwable t) {
          failed.set(t);
          inFlight.release();
        }

        @Override
        public void onCompleted() {
          inFlight.release();
        }
      });
    }
    assertTrue(inFlight.tryAcquire(64, 60, TimeUnit.SECONDS), s.name() + ": puts unfinished");
    assertEquals(null, failed.get(), s.name() + ": a put failed");
  }

  @Test
  @org.junit.jupiter.api.Order(3)
  @DisplayName("a progress request on the stream is answered as etcd 3.4 answers it")
  void progressRequestMatchesEtcd() throws Exception {
    List<List<WatchResponse>> answers = new ArrayList<>();
    for (Side s : List.of(etcdSide, ourSide)) {
      s.kv().put(put("pr", "1"));
      Stream st = new Stream(s);
      st.send(WatchRequest.newBuilder().setCreateRequest(create("pr", "", 0)).build());
      st.send(WatchRequest.newBuilder()
          .setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
      answers.add(st.collect(2));
      st.close();
    }
    assertEquals(answers.get(0), answers.get(1));
    WatchResponse progress = answers.get(1).get(1);
    assertEquals(-1, progress.getWatchId());
    assertEquals(0, progress.getEventsCount());
  }

  @Test
  @org.junit.jupiter.api.Order(4)
  @DisplayName("progress_notify (ours, 1 s interval): idle synced watchers hear the current "
      + "revision, with their watch id; others on the stream hear nothing")
  void progressNotifyEveryInterval() throws Exception {
    etcdSide.kv().put(put("pn", "1")); // keeps the two stores' revisions in step
    long rev = ourSide.kv().put(put("pn", "1")).getHeader().getRevision();
    Stream st = new Stream(ourSide);
    st.send(WatchRequest.newBuilder().setCreateRequest(create("pn", "", 0).setWatchId(7)
        .setProgressNotify(true)).build());
    st.send(WatchRequest.newBuilder().setCreateRequest(create("pn", "", 0).setWatchId(8))
        .build());
    List<WatchResponse> got = st.collect(4); // two created, then two notifications
    for (WatchResponse r : got.subList(2, 4)) {
      assertEquals(7, r.getWatchId(), got.toString());
      assertEquals(0, r.getEventsCount());
      assertEquals(rel(rev, ourSide.base()), r.getHeader().getRevision());
      assertTrue(!r.getCreated() && !r.getCanceled());
    }
    // After an event, the next notification names its revision or a later one: the promise
    // a client resumes from.
    etcdSide.kv().put(put("pn", "2"));
    ourSide.kv().put(put("pn", "2"));
    long eventRev = rel(rev + 1, ourSide.base());
    boolean sawEvent = false;
    for (int i = 0; i < 6; i++) { // the event to watchers 7 and 8, then a notification
      WatchResponse r = st.collect(1).get(0);
      if (r.getEventsCount() > 0) {
        assertEquals(eventRev, r.getEvents(0).getKv().getModRevision());
        sawEvent = true;
      } else if (sawEvent) {
        assertEquals(7, r.getWatchId());
        assertEquals(eventRev, r.getHeader().getRevision());
        st.close();
        return;
      }
    }
    throw new AssertionError("no notification after the event");
  }

  @Test
  @org.junit.jupiter.api.Order(5)
  @DisplayName("Status: the same version string as etcd 3.4.23; dbSize is the store's size")
  void statusVersionAndDbSize() {
    StatusResponse e = MaintenanceGrpc.newBlockingStub(etcdSide.channel())
        .withDeadlineAfter(10, TimeUnit.SECONDS).status(StatusRequest.getDefaultInstance());
    StatusResponse o = MaintenanceGrpc.newBlockingStub(ourSide.channel())
        .withDeadlineAfter(10, TimeUnit.SECONDS).status(StatusRequest.getDefaultInstance());
    assertEquals(e.getVersion(), o.getVersion());
    assertEquals(o.getDbSizeInUse(), o.getDbSize());
    // A few thousand small revisions: some hundreds of kB, not the WAL's 64 MiB segment.
    assertTrue(o.getDbSize() > 0 && o.getDbSize() < 8 << 20, "dbSize " + o.getDbSize());
  }

  @Test
  @org.junit.jupiter.api.Order(6)
  @DisplayName("a watch from a compacted revision is created, then cancelled, as etcd 3.4 does "
      + "(we add the reason and the header's revision)")
  void compactedStartMatchesEtcd() throws Exception {
    long compactAt = 0;
    for (Side s : List.of(etcdSide, ourSide)) {
      s.kv().put(put("cw", "1"));
      s.kv().put(put("cw", "2"));
      long rev = currentRevision(s);
      compactAt = rel(rev, s.base());
      s.kv().compact(raft.kv.api.etcdserverpb.CompactionRequest.newBuilder().setRevision(rev)
          .setPhysical(true).build());
    }
    // etcd's compaction cancel has no cancel_reason and a header at revision 0 (its
    // syncWatchers sends a response with no revision); ours names the reason (our watch CLI
    // prints it, as etcdctl prints the error its client makes of compact_revision) and the
    // current revision. Those two fields aside, the responses must be equal.
    List<List<WatchResponse>> mine = compareWatches(List.of(create("cw", "", compactAt - 1),
        create("cw", "", compactAt)), r -> r.getCompactRevision() == 0 ? r : r.toBuilder()
            .clearCancelReason().setHeader(ResponseHeader.getDefaultInstance()).build());
    assertEquals("etcdserver: mvcc: required revision has been compacted",
        mine.get(0).get(1).getCancelReason());
  }

  /** Opens each watch on both sides (a stream each), waits until quiet, compares. */
  private static List<List<WatchResponse>> compareWatches(List<WatchCreateRequest.Builder> ws)
      throws Exception {
    return compareWatches(ws, r -> r);
  }

  /** As above, comparing etcd's responses with {@code oursAsEtcd} of ours. */
  private static List<List<WatchResponse>> compareWatches(List<WatchCreateRequest.Builder> ws,
      java.util.function.UnaryOperator<WatchResponse> oursAsEtcd) throws Exception {
    List<List<List<WatchResponse>>> bySide = new ArrayList<>();
    for (Side s : List.of(etcdSide, ourSide)) {
      List<Stream> streams = new ArrayList<>();
      for (WatchCreateRequest.Builder w : ws) {
        Stream st = new Stream(s);
        long start = w.getStartRevision();
        st.send(WatchRequest.newBuilder().setCreateRequest(w.clone()
            .setStartRevision(start == 0 ? 0 : start + s.base() - 1)).build());
        streams.add(st);
      }
      // Ours waits for as many responses as etcd's streams had: a loaded machine's pause of
      // QUIET_MILLIS before our catch-up has sent them all must not cut the comparison short.
      awaitQuiet(streams, bySide.isEmpty() ? null
          : bySide.get(0).stream().map(List::size).toList());
      List<List<WatchResponse>> got = new ArrayList<>();
      for (Stream st : streams) {
        got.add(new ArrayList<>(st.got));
        st.close();
      }
      bySide.add(got);
    }
    for (int i = 0; i < ws.size(); i++) {
      assertEquals(bySide.get(0).get(i), bySide.get(1).get(i).stream().map(oursAsEtcd).toList(),
          "watch " + ws.get(i).build()
          + "\netcd's group sizes " + sizes(bySide.get(0).get(i)) + ", ours "
          + sizes(bySide.get(1).get(i)));
    }
    return bySide.get(1);
  }

  // Until every stream has at least {@code want} responses (if given) and no stream has had a
  // response for QUIET_MILLIS (etcd syncs every 100 ms); at most a minute.
  private static void awaitQuiet(List<Stream> streams, List<Integer> want)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    long quietSince = System.nanoTime();
    int seen = -1;
    while (System.nanoTime() < end
        && System.nanoTime() - quietSince < TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS)) {
      int now = streams.stream().mapToInt(st -> st.got.size()).sum();
      boolean missing = want != null && java.util.stream.IntStream.range(0, streams.size())
          .anyMatch(i -> streams.get(i).got.size() < want.get(i));
      if (now != seen || missing) {
        seen = now;
        quietSince = System.nanoTime();
      }
      Thread.sleep(50);
    }
  }

  private static List<Integer> sizes(List<WatchResponse> rs) {
    return rs.stream().map(WatchResponse::getEventsCount).toList();
  }

  /** One watch stream; responses normalized as they arrive. */
  private static final class Stream {
    private final Side side;
    private final BlockingQueue<WatchResponse> got = new LinkedBlockingQueue<>();
    private final StreamObserver<WatchRequest> requests;

    Stream(Side side) {
      this.side = side;
      this.requests = WatchGrpc.newStub(side.channel()).watch(new StreamObserver<>() {
        @Override
        public void onNext(WatchResponse r) {
          got.add(normalize(r, side.base()));
        }

        @Override
        public void onError(Throwable t) { }

        @Override
        public void onCompleted() { }
      });
    }

    void send(WatchRequest r) {
      requests.onNext(r);
    }

    List<WatchResponse> collect(int n) throws InterruptedException {
      List<WatchResponse> out = new ArrayList<>();
      while (out.size() < n) {
        WatchResponse r = got.poll(15, TimeUnit.SECONDS);
        assertTrue(r != null, side.name() + ": only " + out);
        out.add(r);
      }
      return out;
    }

    void close() {
      requests.onCompleted();
    }
  }

  // Clears what differs between two clusters (ids, term) and makes revisions relative.
  private static WatchResponse normalize(WatchResponse r, long base) {
    WatchResponse.Builder b = r.toBuilder();
    b.setHeader(ResponseHeader.newBuilder().setRevision(rel(r.getHeader().getRevision(), base)));
    b.setCompactRevision(rel(r.getCompactRevision(), base));
    b.clearEvents();
    for (Event e : r.getEventsList()) {
      Event.Builder eb = e.toBuilder().setKv(normalize(e.getKv(), base));
      if (e.hasPrevKv()) {
        eb.setPrevKv(normalize(e.getPrevKv(), base));
      }
      b.addEvents(eb);
    }
    return b.build();
  }

  private static KeyValue normalize(KeyValue kv, long base) {
    return kv.toBuilder().setCreateRevision(rel(kv.getCreateRevision(), base))
        .setModRevision(rel(kv.getModRevision(), base)).build();
  }

  private static long rel(long revision, long base) {
    return revision == 0 ? 0 : revision - base + 1;
  }

  private static long currentRevision(Side s) {
    return s.kv().range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("\0"))
        .setCountOnly(true).build()).getHeader().getRevision();
  }

  private static long awaitRevision(ManagedChannel c) throws Exception {
    RuntimeException last = null;
    for (int i = 0; i < 100; i++) {
      try {
        return KVGrpc.newBlockingStub(c).withDeadlineAfter(2, TimeUnit.SECONDS)
            .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("\0"))
                .setCountOnly(true).build()).getHeader().getRevision();
      } catch (RuntimeException notYet) {
        last = notYet;
        assertTrue(etcd.isAlive(), "etcd exited:\n" + etcd.logText());
        Thread.sleep(200);
      }
    }
    throw new AssertionError("no answer", last);
  }

  private static WatchCreateRequest.Builder create(String key, String end, long relStart) {
    return WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
        .setRangeEnd(ByteString.copyFromUtf8(end)).setStartRevision(relStart);
  }

  private static PutRequest put(String k, String v) {
    return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(k))
        .setValue(ByteString.copyFromUtf8(v)).build();
  }

  private static DeleteRangeRequest del(String k, String end) {
    return DeleteRangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(k))
        .setRangeEnd(ByteString.copyFromUtf8(end)).build();
  }

  private static RequestOp op(PutRequest p) {
    return RequestOp.newBuilder().setRequestPut(p).build();
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
