package raft.sim;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import raft.sim.replay.ReplayPage;

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

  @Option(names = "--html", paramLabel = "FILE",
      description = "also write FILE: one self-contained HTML page that replays the run with"
          + " the live cluster view's drawing (scripts/cluster view): a frame every --html-step"
          + " ticks from tick --html-from for --html-ticks ticks; open it in a browser")
  java.nio.file.Path html;

  @Option(names = "--html-from", paramLabel = "TICK",
      description = "first tick of the replay (default ${DEFAULT-VALUE})")
  long htmlFrom;

  @Option(names = "--html-ticks", paramLabel = "N",
      description = "ticks the replay covers (default ${DEFAULT-VALUE})")
  long htmlTicks = 400;

  @Option(names = "--html-step", paramLabel = "TICKS",
      description = "ticks between two frames, 0.01 or more (default ${DEFAULT-VALUE}); a"
          + " replay holds at most " + ReplayRecorder.MAX_FRAMES + " frames")
  double htmlStep = 0.5;

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
    Simulator sim = new Simulator(cfg, trace ? out::println : null);
    ReplayRecorder recorder = html == null ? null : recorder(sim, cfg);
    SimResult r = sim.run();
    double seconds = (System.nanoTime() - start) / 1e9;
    if (recorder != null) {
      writeReplay(recorder, sim, cfg, r);
    }
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

  /** The replay's window in virtual time units; refused if it would exceed the frame cap. */
  private ReplayRecorder recorder(Simulator sim, SimConfig cfg) {
    long step = Math.round(htmlStep * Simulator.TICK);
    if (htmlStep < 0.01 || htmlFrom < 0 || htmlTicks < 1) {
      throw new IllegalArgumentException("--html-step must be at least 0.01, --html-from at"
          + " least 0 and --html-ticks at least 1");
    }
    long from = Math.min(htmlFrom, cfg.ticks) * Simulator.TICK;
    long until = Math.min(htmlFrom + htmlTicks, cfg.ticks) * Simulator.TICK;
    if ((until - from) / step + 1 > ReplayRecorder.MAX_FRAMES) {
      throw new IllegalArgumentException("--html: " + ((until - from) / step + 1)
          + " frames; a replay holds at most " + ReplayRecorder.MAX_FRAMES
          + ": fewer --html-ticks or a larger --html-step");
    }
    ReplayRecorder recorder = new ReplayRecorder(sim, from, until, step);
    sim.record(recorder);
    return recorder;
  }

  /** Writes the page; says so on stderr, so that stdout stays what the seed always prints. */
  private void writeReplay(ReplayRecorder recorder, Simulator sim, SimConfig cfg, SimResult r) {
    String verdict = r.safe() ? r.summary() : r.report();
    recorder.finish(sim.now(), verdict.lines().findFirst().orElse(""));
    String title = "raftkv simulator replay: seed " + cfg.seed + ", " + cfg.nodes
        + " nodes, faults " + faults + ", ticks " + htmlFromTo(cfg) + " of " + cfg.ticks;
    ReplayPage.write(html, title, verdict, recorder.frames());
    spec.commandLine().getErr().println("simulate: wrote " + recorder.frames().size()
        + " frames (ticks " + htmlFromTo(cfg) + ") to " + html);
  }

  private String htmlFromTo(SimConfig cfg) {
    return Math.min(htmlFrom, cfg.ticks) + " to " + Math.min(htmlFrom + htmlTicks, cfg.ticks);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new SimulateCommand(System.out)).execute(args));
  }
}
