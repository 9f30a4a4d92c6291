package raft.kv.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import raft.kv.api.etcdserverpb.Compare;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.client.Clients;

/**
 * Reads etcdctl's txn syntax: compares, a blank line, success ops, a blank line, failure ops,
 * a blank line (end of input also ends a section).
 *
 * <pre>
 * mod("k") > "0"
 * value("k") = "v"
 *
 * put k v2
 * get k --prefix
 *
 * del k
 * </pre>
 *
 * Compare targets: ver(sion), c(reate), m(od), val(ue), lease (hex); operators = == != &gt; &lt;.
 * Ops are put/get/del with the same flags as the commands, words split like a shell (quotes).
 * Errors are {@link Clients.Failure}s that name the offending line.
 */
public final class TxnParser {
  private TxnParser() {}

  private static final String QUOTED = "\"((?:[^\"\\\\]|\\\\.)*)\"";
  private static final Pattern COMPARE = Pattern.compile(
      "\\s*(\\w+)\\(" + QUOTED + "\\)\\s*(==|=|!=|>|<)\\s*(?:" + QUOTED + "|(\\S+))\\s*");
  private static final Pattern WORD = Pattern.compile(QUOTED + "|(\\S+)");

  /** Parses the whole txn; {@code prompt}, when not null, gets etcdctl's interactive prompts. */
  public static TxnRequest parse(BufferedReader in, PrintWriter prompt) throws IOException {
    TxnRequest.Builder txn = TxnRequest.newBuilder();
    prompt(prompt, "compares:");
    for (String line : section(in)) {
      txn.addCompare(parseCompare(line));
    }
    prompt(prompt, "success requests (get, put, del):");
    for (String line : section(in)) {
      txn.addSuccess(parseOp(line));
    }
    prompt(prompt, "failure requests (get, put, del):");
    for (String line : section(in)) {
      txn.addFailure(parseOp(line));
    }
    return txn.build();
  }

  private static void prompt(PrintWriter p, String text) {
    if (p != null) {
      p.println(text);
      p.flush();
    }
  }

  private static List<String> section(BufferedReader in) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line = in.readLine(); line != null && !line.isBlank(); line = in.readLine()) {
      lines.add(line);
    }
    return lines;
  }

  public static Compare parseCompare(String line) {
    Matcher m = COMPARE.matcher(line);
    if (!m.matches()) {
      throw new Clients.Failure("malformed comparison: " + line);
    }
    String key = unescape(m.group(2));
    String val = m.group(4) != null ? unescape(m.group(4)) : m.group(5);
    Compare.Builder c = Compare.newBuilder().setKey(KvCommands.bytes(key))
        .setResult(result(m.group(3)));
    try {
      switch (m.group(1).toLowerCase(Locale.ROOT)) {
        case "ver", "version" ->
            c.setTarget(Compare.CompareTarget.VERSION).setVersion(Long.parseLong(val));
        case "c", "create" ->
            c.setTarget(Compare.CompareTarget.CREATE).setCreateRevision(Long.parseLong(val));
        case "m", "mod" ->
            c.setTarget(Compare.CompareTarget.MOD).setModRevision(Long.parseLong(val));
        case "val", "value" ->
            c.setTarget(Compare.CompareTarget.VALUE).setValue(KvCommands.bytes(val));
        case "lease" -> c.setTarget(Compare.CompareTarget.LEASE)
            .setLease(Long.parseUnsignedLong(val, 16));
        default -> throw new Clients.Failure(
            "malformed comparison: " + line + " (unknown target " + m.group(1) + ")");
      }
    } catch (NumberFormatException e) {
      throw new Clients.Failure("malformed comparison: " + line + " ('" + val
          + "' is not a number)");
    }
    return c.build();
  }

  private static Compare.CompareResult result(String op) {
    return switch (op) {
      case "=", "==" -> Compare.CompareResult.EQUAL;
      case "!=" -> Compare.CompareResult.NOT_EQUAL;
      case ">" -> Compare.CompareResult.GREATER;
      default -> Compare.CompareResult.LESS;
    };
  }

  public static RequestOp parseOp(String line) {
    List<String> words = words(line);
    if (words.isEmpty()) {
      throw new Clients.Failure("invalid txn request: empty line");
    }
    String[] args = words.subList(1, words.size()).toArray(String[]::new);
    try {
      return switch (words.get(0)) {
        case "put" -> RequestOp.newBuilder().setRequestPut(parse(new KvCommands.Put(), args)
            .toRequest()).build();
        case "get" -> RequestOp.newBuilder().setRequestRange(parse(new KvCommands.Get(), args)
            .toRequest()).build();
        case "del", "delete" -> RequestOp.newBuilder()
            .setRequestDeleteRange(parse(new KvCommands.Del(), args).toRequest()).build();
        default -> throw new Clients.Failure("invalid txn request: " + line
            + " (expected get, put or del)");
      };
    } catch (ParameterException e) {
      throw new Clients.Failure("invalid txn request: " + line + " (" + e.getMessage() + ")");
    }
  }

  private static <T> T parse(T command, String[] args) {
    new CommandLine(command).parseArgs(args);
    return command;
  }

  /** Splits like a shell: "quoted words" stay whole, with \" and \\ escapes. */
  static List<String> words(String line) {
    List<String> out = new ArrayList<>();
    Matcher m = WORD.matcher(line);
    while (m.find()) {
      out.add(m.group(1) != null ? unescape(m.group(1)) : m.group(2));
    }
    return out;
  }

  private static String unescape(String s) {
    return s.replaceAll("\\\\(.)", "$1");
  }
}
