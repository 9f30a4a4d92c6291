package raft.kv.bench;

import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import raft.kv.client.Clients;
import raft.kv.client.GlobalOptions;
import raft.kv.client.GoDurationConverter;

/**
 * {@code raftkv bench <workload>}: a load generator in the manner of etcd's {@code benchmark}
 * tool. It speaks only the etcd v3 API, so it drives real etcd as well. The summary goes to
 * stdout and ends with one JSON line; the progress line goes to stderr.
 */
@Command(name = "bench", description = "Measures throughput and latency (like etcd's benchmark).",
    subcommands = {BenchCommand.Put.class, BenchCommand.Range.class, BenchCommand.TxnPut.class,
        BenchCommand.WatchLatencyCommand.class, FailoverProbe.class})
public final class BenchCommand {

  /** The flags every workload shares. */
  static final class Options {
    @Option(names = "--clients", defaultValue = "1",
        description = "Requests in flight at once (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--conns", defaultValue = "1",
        description = "gRPC connections; clients are spread over them (default: ${DEFAULT-VALUE}).")
    int conns;

    @Option(names = "--total", description = "Measured requests (default 10000 unless --duration).")
    long total;

    @Option(names = "--duration", converter = GoDurationConverter.class,
        description = "Measured time, e.g. 10s, instead of --total.")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "0s",
        converter = GoDurationConverter.class,
        description = "Unmeasured time before measuring (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--key-size", defaultValue = "8",
        description = "Key length in bytes (default: ${DEFAULT-VALUE}).")
    int keySize;

    @Option(names = "--val-size", defaultValue = "256",
        description = "Value length in bytes (default: ${DEFAULT-VALUE}).")
    int valSize;

    @Option(names = "--key-space", defaultValue = "10000",
        description = "Distinct keys, chosen uniformly (default: ${DEFAULT-VALUE}).")
    long keySpace;

    @Option(names = "--rate", defaultValue = "0",
        description = "Open loop: requests per second on a fixed schedule; 0 = closed loop.")
    double rate;

    @Option(names = "--target", defaultValue = "all",
        description = "leader, followers or all of --endpoints (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--no-progress", description = "No progress line on stderr.")
    boolean noProgress;
  }

  /** Parses, runs and prints one workload. */
  abstract static class WorkloadCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options options;

    abstract BenchConfig.Workload workload();

    boolean serializable() {
      return false;
    }

    BenchConfig config() {
      try {
        return new BenchConfig(workload(), options.clients, options.conns, options.total,
            options.duration, options.warmup, options.keySize, options.valSize,
            options.keySpace, options.rate, BenchConfig.Target.parse(options.target),
            serializable());
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }

    @Override
    public Integer call() throws Exception {
      BenchConfig config = config();
      GlobalOptions root = GlobalOptions.of(spec);
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      List<String> endpoints;
      long deadlineMs;
      try (Clients clients = root.clients()) {
        endpoints = clients.endpoints();
        deadlineMs = clients.commandTimeout().toMillis();
      }
      List<String> chosen = Targets.resolve(endpoints, config.target(), deadlineMs, root.tls());
      List<ManagedChannel> channels = Targets.open(chosen, config.conns(), root.tls());
      try {
        if (config.workload() == BenchConfig.Workload.RANGE) {
          preload(config, channels, deadlineMs);
        }
        BenchResult r;
        try (Operations.Operation op = operation(config, channels, deadlineMs)) {
          r = new BenchRunner(config, op, channels.size(), options.noProgress ? null : err,
              System.console() != null, deadlineMs + 1000)
              .run(config.target().name().toLowerCase() + " " + String.join(",", chosen));
        }
        out.print(r.summary());
        out.println(r.jsonLine());
        out.flush();
        return r.ops() == 0 && r.errorCount() > 0 ? 1 : 0;
      } finally {
        Targets.close(channels);
      }
    }

    private static Operations.Operation operation(BenchConfig c, List<ManagedChannel> channels,
        long deadlineMs) throws InterruptedException {
      return c.workload() == BenchConfig.Workload.WATCH_LATENCY
          ? new WatchLatency(c, channels, deadlineMs)
          : Operations.unary(c, channels, deadlineMs, false);
    }

    /** Writes the keys a range run reads (at most 1000 of them), quietly. */
    private static void preload(BenchConfig c, List<ManagedChannel> channels, long deadlineMs)
        throws InterruptedException {
      long n = Math.min(c.keySpace(), 1000);
      BenchConfig load = c.withTotal(n, 64);
      BenchResult r = new BenchRunner(load, Operations.unary(load, channels, deadlineMs, true),
          channels.size(), null, false, deadlineMs + 1000).run("preload");
      if (r.errorCount() > 0) {
        throw new Clients.Failure("preloading " + n + " keys failed: " + r.errors().keySet());
      }
    }
  }

  @Command(name = "put", description = "Puts random keys of --key-space.")
  static final class Put extends WorkloadCommand {
    @Override
    BenchConfig.Workload workload() {
      return BenchConfig.Workload.PUT;
    }
  }

  @Command(name = "range", description = "Reads random keys (written first, at most 1000).")
  static final class Range extends WorkloadCommand {
    @Option(names = "--consistency", defaultValue = "l",
        description = "l (linearizable) or s (serializable) (default: ${DEFAULT-VALUE}).")
    String consistency;

    @Override
    BenchConfig.Workload workload() {
      return BenchConfig.Workload.RANGE;
    }

    @Override
    boolean serializable() {
      try {
        return BenchConfig.parseSerializable(consistency);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
  }

  @Command(name = "txn-put", description = "One transaction per request, holding one put.")
  static final class TxnPut extends WorkloadCommand {
    @Override
    BenchConfig.Workload workload() {
      return BenchConfig.Workload.TXN_PUT;
    }
  }

  @Command(name = "watch-latency",
      description = "Time from a put to its event reaching a watcher.")
  static final class WatchLatencyCommand extends WorkloadCommand {
    @Override
    BenchConfig.Workload workload() {
      return BenchConfig.Workload.WATCH_LATENCY;
    }
  }
}
