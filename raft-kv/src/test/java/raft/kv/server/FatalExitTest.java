package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.runtime.Failure;

/** The exit path, with the halt recorded instead of ending the test JVM. */
class FatalExitTest {
  final List<String> log = Collections.synchronizedList(new ArrayList<>());
  final CompletableFuture<Integer> halted = new CompletableFuture<>();
  final FatalExit fatal = new FatalExit(log::add, halted::complete, Duration.ofMillis(300));

  int awaitHalt() throws Exception {
    return halted.get(10, TimeUnit.SECONDS);
  }

  String lastLine() {
    return log.get(log.size() - 1);
  }

  @Test
  @DisplayName("closes, then logs one last line naming the cause, then halts with its status")
  void closesThenSaysWhyThenHalts() throws Exception {
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    fatal.closing(() -> order.add("closed"));
    Failure f = Failure.uncaught(new IOException("No space left on device"), "test");
    fatal.exit(f);
    fatal.exit(Failure.uncaught(new IllegalStateException("later"), "test")); // ignored
    assertEquals(73, awaitHalt());
    assertEquals(List.of("closed"), order);
    assertEquals("fatal, exiting with status 73: " + f.line(), lastLine());
    assertEquals(Optional.of(f.line()), FatalExit.reasonIn("12:00:00.000 n2: " + lastLine()));
  }

  @Test
  @DisplayName("a close that hangs cannot keep the process alive: it halts after the grace")
  void wedgedCloseStillHalts() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    fatal.closing(() -> {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    fatal.exit(Failure.uncaught(new IOException("Input/output error"), "test"));
    assertEquals(74, awaitHalt());
    assertTrue(lastLine().startsWith("fatal, exiting with status 74: storage failure: "),
        lastLine());
    never.countDown();
  }

  @Test
  @DisplayName("an OutOfMemoryError that a library only logs (gRPC, Netty) ends the member")
  void loggedOutOfMemory() throws Exception {
    Logger logger = Logger.getLogger("io.grpc.test");
    logger.setUseParentHandlers(false); // keep the test's output clean
    logger.addHandler(fatal.logHandler());
    logger.log(Level.WARNING, "logged but swallowed", new RuntimeException(
        new OutOfMemoryError("Direct buffer memory")));
    assertEquals(72, awaitHalt());
    assertTrue(lastLine().contains("out of memory: "), lastLine());
    assertTrue(lastLine().contains("logged by io.grpc.test"), lastLine());
  }

  @Test
  @DisplayName("a thread that dies of an uncaught throwable ends the member as a bug, and "
      + "a bug's stack trace is logged before the last line")
  void uncaughtInAThread() throws Exception {
    Thread t = new Thread(() -> {
      throw new IllegalStateException("broken invariant");
    }, "some-worker");
    t.setUncaughtExceptionHandler(fatal::uncaught);
    t.start();
    assertEquals(70, awaitHalt());
    assertTrue(lastLine().startsWith("fatal, exiting with status 70: internal failure: broken "
        + "invariant (IllegalStateException) in thread some-worker at "), lastLine());
    assertTrue(log.stream().anyMatch(l -> l.startsWith("stack trace of the failure:")), log.toString());
  }

  @Test
  @DisplayName("during a normal stop, a thread's failure is logged, not turned into a fatal exit")
  void shuttingDownIsNotFatal() throws Exception {
    fatal.shuttingDown();
    Thread t = new Thread(() -> {
      throw new IllegalStateException("closed under me");
    }, "closing-worker");
    t.setUncaughtExceptionHandler(fatal::uncaught);
    t.start();
    t.join();
    assertEquals(1, log.size(), log.toString());
    assertTrue(log.get(0).startsWith("while stopping: internal failure: closed under me "
        + "(IllegalStateException) in thread closing-worker"), log.get(0));
    assertTrue(!halted.isDone());
  }

  @Test
  @DisplayName("status reads a fatal exit's reason, or the JVM's own OOM exit, from a last line")
  void reasonInLastLine() {
    assertEquals(Optional.empty(), FatalExit.reasonIn("12:00:00.000 n1: lease 1 expired"));
    assertEquals(Optional.of("out of memory: Terminating due to java.lang.OutOfMemoryError: "
        + "Java heap space (-XX:+ExitOnOutOfMemoryError)"), FatalExit.reasonIn(
            "Terminating due to java.lang.OutOfMemoryError: Java heap space"));
  }

  @Test
  @DisplayName("the member's own last line is found under a library's stack trace printed after"
      + " it")
  void lastOwnLineSkipsLibraryOutput() {
    String log = "12:00:00.000 n1: ok\n12:00:01.000 n1: " + FatalExit.MARKER + "72: out of memory"
        + "\njava.lang.OutOfMemoryError: x\n\tat io.netty.Foo.bar(Foo.java:1)\n";
    assertEquals(Optional.of("out of memory"),
        FatalExit.lastOwnLine(log).flatMap(FatalExit::reasonIn));
    assertEquals(Optional.empty(), FatalExit.lastOwnLine("no timestamps\n"));
  }
}
