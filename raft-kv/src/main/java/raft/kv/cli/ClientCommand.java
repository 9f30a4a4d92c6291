package raft.kv.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import raft.kv.client.Clients;
import raft.kv.client.GlobalOptions;

/** A verb that talks to the cluster: opens {@link Clients}, runs, flushes, closes. */
abstract class ClientCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  GlobalOptions root() {
    return GlobalOptions.of(spec);
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  @Override
  public final Integer call() throws Exception {
    try (Clients clients = root().clients()) {
      try {
        return run(clients);
      } catch (RuntimeException e) {
        if (!clients.retryWithNewToken(e)) {
          throw e;
        }
        return run(clients); // once, with a new token (clientv3 retries so)
      }
    } finally {
      out().flush();
    }
  }

  /** Returns the exit code; gRPC failures propagate and print as {@code Error: ...}. */
  abstract int run(Clients clients) throws Exception;
}
