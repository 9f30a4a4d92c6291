package raft.runtime;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A test state machine that records every non-empty command as "index:data", in order. */
final class RecordingStateMachine implements StateMachine {
  private final List<String> applied = new ArrayList<>();
  private long lastIndex;
  private int restores;

  @Override
  public synchronized void apply(long index, long term, ByteString data) {
    // Commands that make the state machine fail, for the failure tests.
    if (data.toStringUtf8().equals("fail:oom")) {
      throw new OutOfMemoryError("Direct buffer memory");
    } else if (data.toStringUtf8().equals("fail:bug")) {
      throw new IllegalStateException("injected state machine bug");
    }
    if (index <= lastIndex) {
      throw new AssertionError("index " + index + " applied after " + lastIndex);
    }
    lastIndex = index;
    if (!data.isEmpty()) {
      applied.add(index + ":" + data.toStringUtf8());
    }
    notifyAll();
  }

  @Override
  public synchronized void writeSnapshot(OutputStream out) throws IOException {
    ByteString.copyFromUtf8(lastIndex + "\n" + String.join("\n", applied)).writeTo(out);
  }

  @Override
  public synchronized void restore(long index, ByteString data) {
    String[] lines = data.toStringUtf8().split("\n");
    if (Long.parseLong(lines[0]) != index) {
      throw new AssertionError("snapshot of " + lines[0] + " restored as " + index);
    }
    applied.clear();
    for (int i = 1; i < lines.length; i++) {
      applied.add(lines[i]);
    }
    lastIndex = index;
    restores++;
    notifyAll();
  }

  synchronized List<String> applied() {
    return List.copyOf(applied);
  }

  synchronized long lastIndex() {
    return lastIndex;
  }

  synchronized int restores() {
    return restores;
  }

  /** Waits (bounded) until {@code n} commands are applied; returns them. */
  synchronized List<String> awaitCommands(int n, long seconds)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (applied.size() < n) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException("only " + applied.size() + " of " + n + " commands applied");
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return List.copyOf(applied);
  }
}
