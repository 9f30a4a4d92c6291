package raft.jepsen;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import raft.jepsen.db.Db;
import raft.jepsen.db.EtcdDb;
import raft.jepsen.db.RaftKvDb;
import raft.jepsen.nemesis.Fault;
import raft.jepsen.nemesis.MemberChange;
import raft.jepsen.nemesis.Schedule;

/**
 * {@code scripts/jepsen}: runs the fault harness R times (a fresh cluster each run, seed S+r),
 * prints per-key verdicts, each report's path, and the one-line summary; exit 1 if any run
 * fails a check.
 */
@Command(name = "jepsen", mixinStandardHelpOptions = true,
    description = "Jepsen-style fault runs against our cluster, real etcd, or given endpoints.")
public final class JepsenCommand implements Callable<Integer> {
  @Option(names = "--nodes", defaultValue = "3", description = "3 or 5 (default 3).")
  int nodes;
  @Option(names = "--time", defaultValue = "60", description = "Seconds per run (default 60).")
  int seconds;
  @Option(names = "--nemesis", defaultValue = "kill,pause,partition",
      description = "Comma list of kill, pause, partition, member, or none. member removes"
          + " a member and adds it back as a new one with an empty data dir, and grows or"
          + " shrinks the cluster between 3 and 5 (endpoints for all five).")
  String nemesis;
  @Option(names = "--seed", description = "Seed of the first run (default: from the clock).")
  Long seed;
  @Option(names = "--clients", defaultValue = "5") int clients;
  @Option(names = "--runs", defaultValue = "1") int runs;
  @Option(names = "--think-ms", defaultValue = "5",
      description = "Mean pause between one client's ops, ms (default 5).")
  long thinkMillis;
  @Option(names = "--endpoints", split = ",",
      description = "Foreign endpoints host:port,...: clients only, no nemesis.")
  List<String> endpoints;
  @Option(names = "--etcd", description = "Start a real etcd cluster (partitions skipped).")
  boolean etcd;
  @Option(names = "--port-offset", description = "Default 360 (ours), 380 (--etcd).")
  Integer portOffset;
  @Option(names = "--serializable", description = "Serializable (stale) reads: shows teeth.")
  boolean serializable;
  @Option(names = "--tls", description = "Our cluster with TLS on client and peer ports"
      + " (scripts/cluster start --tls); every client presents its client certificate.")
  boolean tls;
  @Option(names = "--auth", description = "Our cluster with etcd's auth on: a root user, a user"
      + " who may read and write jepsen/ only, auth enabled; clients run as that user.")
  boolean auth;
  @Option(names = "--data", defaultValue = "data/jepsen") Path data;
  @Option(names = "--reports", defaultValue = "reports/jepsen") Path reports;
  @Option(names = "--jar", defaultValue = "raft-kv/target/raftkv.jar") Path jar;

  public static void main(String[] args) {
    System.exit(new CommandLine(new JepsenCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if ((tls || auth) && endpoints != null) {
      System.err.println("Error: --tls and --auth start the cluster (ours, or etcd's with"
          + " --etcd), so not with --endpoints");
      return 2;
    }
    long first = seed != null ? seed : System.currentTimeMillis() % 1_000_000;
    List<Fault.Kind> kinds = kinds();
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    List<Verdicts> verdicts = new ArrayList<>();
    boolean ok = true;
    for (int r = 0; r < runs; r++) {
      long s = first + r;
      String name = stamp + "-" + (etcd ? "etcd-" : endpoints != null ? "ext-" : "")
          + (tls ? "tls-" : "") + (auth ? "auth-" : "") + "seed" + s;
      RunConfig cfg = RunConfig.defaults(name, s, seconds,
          Schedule.generate(s, capacity(kinds), kinds, seconds * 1000L)).withClients(clients)
          .withThinkMillis(thinkMillis);
      if (serializable) {
        cfg = cfg.withSerializableReads();
      }
      System.out.printf("run %d/%d: seed %d, %d nodes, %d s, nemesis %s%s%n", r + 1, runs, s,
          nodes, seconds, kinds, (tls ? ", TLS" : "") + (auth ? ", auth" : ""));
      Runner.Checked c;
      try (Db db = db(capacity(kinds))) {
        c = Runner.run(db, cfg, reports, System.out::println);
      }
      c.verdicts().lines().forEach(System.out::println);
      System.out.printf("  %d client ops, %.0f ops/s%n", c.result().clientOps(),
          c.result().opsPerSecond());
      c.result().notes().forEach(n -> System.out.println("  note: " + n));
      System.out.println("  report: " + c.report().toAbsolutePath());
      verdicts.add(c.verdicts());
      ok &= c.verdicts().ok();
    }
    System.out.println(Runner.summary(verdicts));
    return ok ? 0 : 1;
  }

  private List<Fault.Kind> kinds() {
    List<Fault.Kind> kinds = new ArrayList<>();
    for (String n : nemesis.split(",")) {
      if (etcd && n.trim().equals("partition")) {
        System.out.println("note: real etcd has no partition hook; partitions skipped");
        continue;
      }
      kinds.addAll(Fault.kindsFor(n));
    }
    return kinds;
  }

  /** Endpoints for all five nodes when the member nemesis may grow the cluster. */
  private int capacity(List<Fault.Kind> kinds) {
    return kinds.contains(Fault.Kind.MEMBER) ? MemberChange.MAX : nodes;
  }

  private Db db(int capacity) throws Exception {
    if (endpoints != null) {
      return EtcdDb.external(endpoints);
    }
    if (etcd) {
      int offset = portOffset != null ? portOffset : 380;
      if (!tls && !auth) {
        return EtcdDb.start(data.resolve("etcd"), nodes, capacity, offset);
      }
      // scripts/tls-certs of the checkout the jar was built in (raft-kv/target/raftkv.jar).
      Path script = jar.toAbsolutePath().getParent().getParent().getParent()
          .resolve("scripts/tls-certs");
      EtcdDb db = tls ? EtcdDb.startTls(data.resolve("etcd"), nodes, capacity, offset, script)
          : EtcdDb.start(data.resolve("etcd"), nodes, capacity, offset);
      if (auth) {
        db.enableAuth();
        System.out.println("  " + db.authProof());
      }
      return db;
    }
    int offset = portOffset != null ? portOffset : 360;
    RaftKvDb db = new RaftKvDb(jar, data.resolve("raftkv"), nodes, capacity, offset, tls);
    if (!auth) {
      return db.start();
    }
    db.withAuth().start();
    System.out.println("  " + db.authProof());
    return db;
  }
}
