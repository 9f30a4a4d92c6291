package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.HashedWheelTimer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
  private final HashedWheelTimer timer = new HashedWheelTimer(10, TimeUnit.MILLISECONDS);
  private final Deadlines deadlines = new Deadlines(timer, Duration.ofMillis(50));

  @AfterEach
  void stop() {
    timer.stop();
  }

  @Test
  void aRequestThatNeverCompletesTimesOutWithEtcdsMessage() throws Exception {
    CompletableFuture<Object> never = deadlines.within(new CompletableFuture<>());
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> never.get(5, TimeUnit.SECONDS));
    assertInstanceOf(TimeoutException.class, e.getCause());
    assertEquals("etcdserver: request timed out",
        Errors.of(e.getCause()).getStatus().getDescription());
  }

  @Test
  void aCompletedRequestKeepsItsResultAndFreesItsTimeout() throws Exception {
    CompletableFuture<Object> f = deadlines.within(new CompletableFuture<>());
    f.complete("applied");
    CountDownLatch pastTheDeadline = new CountDownLatch(1);
    timer.newTimeout(t -> pastTheDeadline.countDown(), 150, TimeUnit.MILLISECONDS);
    assertTrue(pastTheDeadline.await(5, TimeUnit.SECONDS));
    assertEquals("applied", f.get(1, TimeUnit.SECONDS));
    assertEquals(0, timer.pendingTimeouts(), "the cancelled timeout was dropped, not kept");
  }
}
