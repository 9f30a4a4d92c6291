package raft.kv.main;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every error line says "see 'raftkv VERB --help'": that help must exist for every verb. */
class HelpTest {

  @Test
  void everyCommandAnswersHelp() {
    List<List<String>> paths = new ArrayList<>();
    collect(RaftKvCommand.commandLine(new RaftKvCommand(InputStream.nullInputStream(), c -> {})),
        new ArrayList<>(), paths);
    assertTrue(paths.size() > 30, "expected the whole command tree, got " + paths.size());
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      CliRun r = CliRun.run(args.toArray(String[]::new));
      String verb = String.join(" ", path);
      assertEquals(0, r.exit(), verb + " --help: " + r.err());
      assertTrue(r.out().startsWith("Usage: raftkv" + (verb.isEmpty() ? "" : " " + verb)),
          verb + " --help printed: " + r.out());
    }
  }

  private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
    out.add(List.copyOf(path));
    cl.getSubcommands().forEach((name, sub) -> {
      if (name.equals(sub.getCommandName())) { // skip aliases
        path.add(name);
        collect(sub, path, out);
        path.remove(path.size() - 1);
      }
    });
  }
}
