package raft.kv.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.api.etcdserverpb.TxnResponse;
import raft.kv.client.Clients;

/** {@code raftkv txn}: reads etcdctl's txn syntax from stdin (see {@link TxnParser}). */
@Command(name = "txn", description = "Runs a transaction read from stdin:"
    + " compares, blank line, success ops, blank line, failure ops, blank line.")
public final class TxnCommand extends ClientCommand {
  @Option(names = {"-i", "--interactive"}, description = "Prompt for each section.")
  boolean interactive;

  @Option(names = {"-w", "--write-out"}, defaultValue = "simple",
      description = "simple or json.")
  String writeOut;

  @Override
  int run(Clients clients) throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(root().in(), StandardCharsets.UTF_8));
    TxnRequest request = TxnParser.parse(in, interactive ? out() : null);
    TxnResponse r = clients.kv().txn(request);
    out().print("json".equals(writeOut) ? Json.of(r) + "\n" : Printer.txn(r));
    return 0;
  }
}
