package raft.kv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.client.Clients;

/** The page's actions are scripts/cluster's own verbs, with the view's cluster. */
class ViewActionsTest {
  @TempDir Path dir;

  private List<String> argv(String verb, String json) {
    try (ViewActions a = new ViewActions(new ClusterLayout(3, 7, dir), new ViewTimeline())) {
      return a.argv(verb, JsonParser.parseString(json).getAsJsonObject());
    }
  }

  @Test
  @DisplayName("a button's JSON becomes the verb's command line, with --data and --port-offset")
  void commandLines() {
    String tail = " --data " + dir.toAbsolutePath().normalize() + " --port-offset 7";
    assertEquals("kill n2" + tail, String.join(" ", argv("kill", "{\"member\":\"n2\"}")));
    assertEquals("transfer n3" + tail, String.join(" ", argv("transfer", "{\"member\":\"n3\"}")));
    assertEquals("partition n1,n3" + tail,
        String.join(" ", argv("partition", "{\"members\":[\"n1\",\"n3\"]}")));
    assertEquals("heal" + tail, String.join(" ", argv("heal", "{}")));
  }

  @Test
  @DisplayName("unknown verbs and names that are not nodes are refused before anything runs")
  void refusals() {
    assertTrue(assertThrows(Clients.Failure.class, () -> argv("clean", "{}")).getMessage()
        .contains("unknown action clean"));
    assertThrows(Clients.Failure.class, () -> argv("kill", "{\"member\":\"n1; rm -rf /\"}"));
    assertThrows(Clients.Failure.class, () -> argv("kill", "{}"));
  }

  @Test
  @DisplayName("a failing verb answers ok:false with its one-line error, as the CLI prints it")
  void failureAnswer() throws Exception {
    try (ViewActions a = new ViewActions(new ClusterLayout(3, 7, dir), new ViewTimeline())) {
      String json = a.submit("kill", "{\"member\":\"n2\"}").get();
      assertTrue(json.startsWith("{\"ok\":false,\"error\":\"Error: no cluster in "), json);
    }
  }
}
