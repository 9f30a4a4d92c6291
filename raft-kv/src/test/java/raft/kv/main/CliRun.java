package raft.kv.main;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import raft.kv.server.ServerConfig;

/** Runs the raftkv command line in-process with captured stdin, stdout and stderr. */
public record CliRun(int exit, String out, String err, List<ServerConfig> servers) {

  public static CliRun run(String... args) {
    return withStdin("", args);
  }

  public static CliRun withStdin(String stdin, String... args) {
    List<ServerConfig> servers = new ArrayList<>();
    RaftKvCommand root = new RaftKvCommand(
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), servers::add);
    CommandLine cl = RaftKvCommand.commandLine(root);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new CliRun(exit, out.toString(), err.toString(), servers);
  }

  /** The one line on stderr; fails if there is not exactly one. */
  public String errLine() {
    String[] lines = err.strip().split("\n");
    if (err.isBlank() || lines.length != 1) {
      throw new AssertionError("expected one stderr line, got: " + err);
    }
    return lines[0];
  }
}
