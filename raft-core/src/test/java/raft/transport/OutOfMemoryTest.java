package raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OutOfMemoryTest {
  @Test
  @DisplayName("an OOM reaching a Netty handler goes to the uncaught exception handler; "
      + "other errors stay the handler's business")
  void onlyOutOfMemoryIsReported() throws Exception {
    List<Throwable> reported = new ArrayList<>();
    OutOfMemoryError oom = new OutOfMemoryError("Direct buffer memory");
    Thread t = new Thread(() -> {
      OutOfMemory.report(new IOException("Connection reset by peer"));
      OutOfMemory.report(new DecoderException(oom)); // how a decoder hands it on
    });
    t.setUncaughtExceptionHandler((thread, e) -> reported.add(e));
    t.start();
    t.join();
    assertEquals(1, reported.size());
    assertEquals(oom, reported.get(0).getCause());
  }
}
