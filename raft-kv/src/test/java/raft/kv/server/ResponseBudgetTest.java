package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netty.util.HashedWheelTimer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResponseBudgetTest {
  private static final long MB = 1024 * 1024;
  private final HashedWheelTimer timer = new HashedWheelTimer(10, TimeUnit.MILLISECONDS);
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private final List<String> sent = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() {
    timer.stop();
  }

  /** 100 MB, at most two waiting, each for up to {@code waitMillis}; sends run inline. */
  private ResponseBudget budget(long waitMillis) {
    return new ResponseBudget(100 * MB, 2, timer, Duration.ofMillis(waitMillis), Runnable::run,
        log::add);
  }

  /** Asks to send a response of {@code bytes} named {@code name}; the future holds a refusal. */
  private CompletableFuture<StatusRuntimeException> send(ResponseBudget.Call c, String name,
      long bytes) {
    CompletableFuture<StatusRuntimeException> refused = new CompletableFuture<>();
    c.send(bytes, () -> sent.add(name), refused::complete);
    return refused;
  }

  @Test
  void aResponseThatFitsIsSentAtOnceAndHeldUntilItsCallFinishes() {
    ResponseBudget b = budget(10_000);
    ResponseBudget.Call c = b.newCall("etcdserverpb.KV/Range");
    send(c, "a", 60 * MB);
    assertEquals(List.of("a"), sent);
    assertEquals(60 * MB, b.inFlightBytes());
    c.finished();
    c.finished(); // onCancel after onComplete, say: given back once
    assertEquals(0, b.inFlightBytes());
  }

  @Test
  void aTinyResponseCostsGrpcsSmallestSendBuffer() {
    ResponseBudget b = budget(10_000);
    send(b.newCall("etcdserverpb.Maintenance/Status"), "status", 40);
    assertEquals(ResponseBudget.MIN_CHARGE, b.inFlightBytes());
  }

  @Test
  void largeResponsesWaitTheirTurnInOrder() {
    ResponseBudget b = budget(10_000);
    ResponseBudget.Call first = b.newCall("r1");
    ResponseBudget.Call second = b.newCall("r2");
    ResponseBudget.Call third = b.newCall("r3");
    send(first, "first", 90 * MB);
    send(second, "second", 90 * MB);
    send(third, "third", 5 * MB); // over 1 MiB: it queues behind the large one, not past it
    assertEquals(List.of("first"), sent);
    assertEquals(2, b.waitingCalls());
    first.finished();
    assertEquals(List.of("first", "second", "third"), sent);
    assertEquals(95 * MB, b.inFlightBytes());
  }

  @Test
  void aSmallResponsePassesWaitingLargeOnesWhenItFits() {
    ResponseBudget b = budget(10_000);
    send(b.newCall("r1"), "large", 90 * MB);
    send(b.newCall("r2"), "waiting", 90 * MB);
    send(b.newCall("r3"), "small", 1000);
    assertEquals(List.of("large", "small"), sent);
  }

  @Test
  void aResponseLargerThanTheBudgetIsRefusedInGrpcsWordsAndLogged() throws Exception {
    ResponseBudget b = budget(10_000);
    StatusRuntimeException e = send(b.newCall("etcdserverpb.KV/Range"), "huge", 101 * MB)
        .get(1, TimeUnit.SECONDS);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertEquals("grpc: trying to send message larger than max (" + 101 * MB + " vs. "
        + 100 * MB + ")", e.getStatus().getDescription());
    assertTrue(sent.isEmpty());
    assertEquals(1, log.size());
    assertTrue(log.get(0).startsWith("refused a " + 101 * MB + "-byte etcdserverpb.KV/Range"
        + " response: it is larger than the whole budget"), log::toString);
  }

  @Test
  void aFullQueueRefusesWithEtcdsTooManyRequests() throws Exception {
    ResponseBudget b = budget(10_000);
    send(b.newCall("r1"), "large", 90 * MB);
    send(b.newCall("r2"), "w1", 30 * MB);
    send(b.newCall("r3"), "w2", 30 * MB);
    StatusRuntimeException e = send(b.newCall("r4"), "w3", 30 * MB).get(1, TimeUnit.SECONDS);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertEquals("etcdserver: too many requests", e.getStatus().getDescription());
    assertTrue(log.get(0).contains("2 responses are already waiting"), log::toString);
  }

  @Test
  void aResponseThatWaitsTooLongTimesOutWithEtcdsMessage() throws Exception {
    ResponseBudget b = budget(50);
    send(b.newCall("r1"), "large", 90 * MB);
    StatusRuntimeException e = send(b.newCall("r2"), "late", 90 * MB).get(5, TimeUnit.SECONDS);
    assertEquals("etcdserver: request timed out", e.getStatus().getDescription());
    assertEquals(0, b.waitingCalls());
    assertEquals(List.of("large"), sent);
    assertTrue(log.get(0).contains("it waited 50 ms"), log::toString);
  }

  @Test
  void aCallCancelledWhileWaitingIsNeverSentAndLeavesTheQueue() {
    ResponseBudget b = budget(10_000);
    ResponseBudget.Call first = b.newCall("r1");
    ResponseBudget.Call gone = b.newCall("r2");
    send(first, "first", 90 * MB);
    CompletableFuture<StatusRuntimeException> refused = send(gone, "gone", 90 * MB);
    gone.finished();
    assertEquals(0, b.waitingCalls());
    first.finished();
    assertEquals(List.of("first"), sent);
    assertEquals(0, b.inFlightBytes());
    assertNull(refused.getNow(null));
  }

  @Test
  void aCallCancelledBeforeItsResponseIsBuiltSendsNothing() {
    ResponseBudget b = budget(10_000);
    ResponseBudget.Call gone = b.newCall("r1");
    gone.finished();
    send(gone, "late", MB);
    assertTrue(sent.isEmpty());
    assertEquals(0, b.inFlightBytes());
  }

  @Test
  void aSendThatFailsGivesItsBytesBackAndIsLogged() {
    ResponseBudget b = budget(10_000);
    ResponseBudget.Call c = b.newCall("etcdserverpb.KV/Range");
    c.send(60 * MB, () -> {
      throw new IllegalStateException("stream closed");
    }, e -> { });
    assertEquals(0, b.inFlightBytes());
    assertTrue(log.get(0).startsWith("could not send a " + 60 * MB + "-byte"), log::toString);
  }

  @Test
  void runningOutOfMemoryWhileSendingGivesTheBytesBackAndIsNotSwallowed() {
    ResponseBudget b = budget(10_000);
    ResponseBudget.Call c = b.newCall("etcdserverpb.KV/Range");
    assertThrows(OutOfMemoryError.class, () -> c.send(60 * MB, () -> {
      throw new OutOfMemoryError("Cannot reserve 1048576 bytes of direct buffer memory");
    }, e -> { }));
    assertEquals(0, b.inFlightBytes());
  }

  @Test
  void aCallThatExpiresLetsTheOneBehindItGoIfItFits() throws Exception {
    ResponseBudget b = budget(200);
    send(b.newCall("r1"), "first", 60 * MB); // never finishes: a client that does not read
    CompletableFuture<StatusRuntimeException> second = send(b.newCall("r2"), "second", 50 * MB);
    CompletableFuture<String> third = new CompletableFuture<>();
    b.newCall("r3").send(30 * MB, () -> third.complete("sent"), third::completeExceptionally);
    assertEquals(Status.Code.UNAVAILABLE, second.get(5, TimeUnit.SECONDS).getStatus().getCode());
    // Granted when the second expired, within its own wait: it fits beside the first.
    assertEquals("sent", third.get(5, TimeUnit.SECONDS));
  }
}
