package raft.kv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Following a member's log for its narration only. */
class ViewNarrationTest {
  @TempDir Path dir;

  private static List<String> texts(List<ViewNarration.Line> lines) {
    return lines.stream().map(l -> l.member() + "|" + l.kind() + "|" + l.text()).toList();
  }

  @Test
  @DisplayName("only the member's plain-words lines; stack traces and library output are left out")
  void narrationOnly() throws Exception {
    Path log = dir.resolve("n1.log");
    Files.writeString(log, "12:00:00.000 n1: leader is now n2 in term 2\n"
        + "java.io.IOException: boom\n\tat raft.Foo.bar(Foo.java:1)\n"
        + "SLF4J: no binding\n"
        + "12:00:00.100 n1: sent a snapshot to member 3\n");
    ViewNarration n = new ViewNarration();
    assertEquals(List.of("n1|narration|leader is now n2 in term 2",
        "n1|snapshot|sent a snapshot to member 3"), texts(n.read(log)));
    assertEquals(List.of(), n.read(log), "nothing new");
  }

  @Test
  @DisplayName("only what was appended since the last read; a half-written line waits")
  void followsAppends() throws Exception {
    Path log = dir.resolve("n2.log");
    Files.writeString(log, "12:00:00.000 n2: one\n");
    ViewNarration n = new ViewNarration();
    assertEquals(1, n.read(log).size());
    Files.writeString(log, "12:00:01.000 n2: two\n12:00:02.000 n2: thr", StandardOpenOption.APPEND);
    assertEquals(List.of("n2|narration|two"), texts(n.read(log)));
    Files.writeString(log, "ee\n", StandardOpenOption.APPEND);
    assertEquals(List.of("n2|narration|three"), texts(n.read(log)));
    Files.writeString(log, "12:00:03.000 n2: after a clean\n"); // shorter: read from the start
    assertEquals(List.of("n2|narration|after a clean"), texts(n.read(log)));
  }

  @Test
  @DisplayName("a log that does not exist yet says nothing")
  void noLog() {
    assertEquals(List.of(), new ViewNarration().read(dir.resolve("n5.log")));
  }
}
