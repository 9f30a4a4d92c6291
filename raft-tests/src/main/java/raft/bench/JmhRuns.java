package raft.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;

/** What the benchmark mains share: reading a JMH result's parameters, writing the report. */
final class JmhRuns {
  private JmhRuns() {}

  /** The @Param values of one result, in declaration order. */
  static Map<String, String> params(RunResult r) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String key : r.getParams().getParamsKeys()) {
      params.put(key, r.getParams().getParam(key));
    }
    return params;
  }

  /** Prints the Markdown report and writes it to {@code out}, creating its directory. */
  static void printAndWrite(String markdown, Path out, String tool) throws IOException {
    System.out.println();
    System.out.print(markdown);
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(out, markdown, StandardCharsets.UTF_8);
    System.out.println("\n" + tool + ": wrote " + out);
  }
}
