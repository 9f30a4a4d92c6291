package raft.sim;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scripts/simulate}: runs the real protocol in the simulator and checks its safety. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = {
        "Runs a Raft cluster in a deterministic simulator (virtual time, seeded faults) and",
        "checks Election Safety, Leader Append-Only, Log Matching, Leader Completeness, State",
        "Machine Safety and linearizable reads after every step; with members, the cluster's",
        "membership changes during the run, and the members agree on the configuration at",
        "every index. The same seed prints the same output, byte for byte. Exit status 1 if a",
        "property was violated."})
public final class SimulateCommand implements Callable<Integer> {
  @Option(names = "--nodes", description = "cluster size, 1 to 9 (default ${DEFAULT-VALUE})")
  int nodes = 3;

  @Option(names = "--seed", description = "the run's seed (default: a random one, printed)")
  Long seed;

  @Option(names = "--ticks", description = "length of the run in ticks (default ${DEFAULT-VALUE})")
  long ticks = 10_000;

  @Option(names = "--faults",
      description = "none, crash, partition, drop, members or all; comma-separated (default"
          + " ${DEFAULT-VALUE})")
  String faults = "all";

  @Option(names = "--vary",
      description = "derive fault rate, load, snapshots, message size and window from the seed")
  boolean vary;

  @Option(names = "--healed-tail", description = "fault-free ticks at the end (default 300)")
  Long healedTail;

  @Option(names = "--down-after-heal",
      description = "nodes left crashed after healing, to test liveness with a minority down")
  int downAfterHeal;

  @Option(names = "--trace", description = "print one line per role change, commit and fault")
  boolean trace;

  @Option(names = "--bench", description = "also print simulated messages per second of wall time")
  boolean bench;

  private final PrintStream out;

  SimulateCommand(PrintStream out) {
    this.out = out;
  }

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    try {
      return simulate(config());
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("simulate: " + e.getMessage());
      return 2;
    }
  }

  private SimConfig config() {
    if (nodes < 1 || nodes > 9) {
      throw new IllegalArgumentException("--nodes must be between 1 and 9, got " + nodes);
    }
    if (ticks < 1) {
      throw new IllegalArgumentException("--ticks must be positive, got " + ticks);
    }
    SimConfig cfg = new SimConfig();
    cfg.nodes = nodes;
    cfg.seed = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, 1_000_000_000L);
    cfg.ticks = ticks;
    cfg.healedTail = healedTail != null ? healedTail : Math.min(cfg.healedTail, ticks / 2);
    cfg.faults = SimConfig.Fault.parse(faults);
    cfg.downAfterHeal = downAfterHeal;
    cfg.trace = trace;
    if (vary) {
      cfg.vary();
    }
    return cfg;
  }

  private int simulate(SimConfig cfg) {
    long start = System.nanoTime();
    SimResult r = new Simulator(cfg, trace ? out::println : null).run();
    double seconds = (System.nanoTime() - start) / 1e9;
    if (!r.safe()) {
      out.println(r.report());
      return 1;
    }
    if (bench) {
      out.printf("bench: %d messages in %.2f s of wall time = %.0f simulated messages/s%n",
          r.stats().messages, seconds, r.stats().messages / seconds);
    }
    if (r.stats().recoveryTicks < 0) {
      out.println("liveness: no proposal committed in the " + cfg.healedTail
          + " ticks after healing");
    }
    out.println(r.summary());
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new SimulateCommand(System.out)).execute(args));
  }
}
