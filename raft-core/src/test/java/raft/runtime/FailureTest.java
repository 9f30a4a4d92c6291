package raft.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.runtime.Failure.Kind;
import raft.runtime.Failure.Site;

/** Each fatal cause gets its own line; only a failed write or fsync speaks of fsyncgate. */
class FailureTest {
  static final Path DIR = Path.of("/data/n1");

  static Failure of(Throwable e, Site site) {
    return Failure.of(e, site, DIR);
  }

  @Test
  @DisplayName("ENOSPC is 'disk full', names the data dir and asks for space, not fsyncgate")
  void diskFull() {
    Failure f = of(new IOException("No space left on device"), Site.RAFT_LOOP);
    assertEquals(Kind.DISK_FULL, f.kind());
    assertEquals("disk full: no space left on device for /data/n1 (No space left on device "
        + "(IOException)); free space and restart this member: what it persisted before is "
        + "intact", f.line());
  }

  @Test
  @DisplayName("the WAL's later refusal, wrapping the first ENOSPC, is still 'disk full'")
  void diskFullWrapped() {
    IllegalStateException e = new IllegalStateException("the WAL refuses writes after an "
        + "earlier I/O failure", new IOException("No space left on device"));
    assertEquals(Kind.DISK_FULL, of(e, Site.APPLY).kind());
  }

  @Test
  @DisplayName("a failed fsync is a storage failure and the only one that cites fsyncgate")
  void storage() {
    Failure f = of(new IOException("Input/output error"), Site.APPLY);
    assertEquals(Kind.STORAGE, f.kind());
    assertTrue(f.line().startsWith("storage failure: Input/output error (IOException); a failed "
        + "write or fsync cannot be retried safely"), f.line());
  }

  @Test
  @DisplayName("any OutOfMemoryError in the chain, Netty's direct-memory one included")
  void outOfMemory() {
    Failure f = of(new RuntimeException(new OutOfMemoryError("Java heap space")), Site.APPLY);
    assertEquals(Kind.OUT_OF_MEMORY, f.kind());
    assertTrue(f.line().startsWith("out of memory: "), f.line());
    assertTrue(f.line().contains("-Xmx"), f.line());
    // Netty throws its own (its constructor is not public): it is an OutOfMemoryError too.
    assertTrue(OutOfMemoryError.class.isAssignableFrom(
        io.netty.util.internal.OutOfDirectMemoryError.class));
    assertTrue(Failure.isOutOfMemory(new IllegalStateException(new OutOfMemoryError())));
    assertFalse(Failure.isOutOfMemory(new IOException()));
  }

  @Test
  @DisplayName("a state machine that throws, on the apply thread")
  void stateMachine() {
    Failure f = of(new IllegalArgumentException("bad entry"), Site.APPLY);
    assertEquals("state machine failure: bad entry (IllegalArgumentException); the state it "
        + "serves can no longer advance: restart this member to replay the log", f.line());
  }

  @Test
  @DisplayName("anything else on the Raft loop is a bug: named, with where it was thrown")
  void internal() {
    NullPointerException npe = new NullPointerException();
    npe.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("raft.core.Raft", "step", "Raft.java", 42)});
    Failure f = of(npe, Site.RAFT_LOOP);
    assertEquals("internal failure: no message (NullPointerException) at raft.core.Raft.step"
        + "(Raft.java:42); this is a bug: restart this member and report it with this log",
        f.line());
  }

  @Test
  @DisplayName("an uncaught or swallowed throwable names where it was thrown")
  void uncaught() {
    Failure f = Failure.uncaught(new OutOfMemoryError("Direct buffer memory"),
        "thread grpc-nio-worker-ELG-3-2");
    assertEquals(Kind.OUT_OF_MEMORY, f.kind());
    assertTrue(f.line().startsWith("out of memory: Direct buffer memory (OutOfMemoryError) in "
        + "thread grpc-nio-worker-ELG-3-2; restart"), f.line());
    assertEquals(Kind.INTERNAL, Failure.uncaught(new IllegalStateException("x"), "t").kind());
  }
}
