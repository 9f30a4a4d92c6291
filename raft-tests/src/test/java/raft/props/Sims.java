package raft.props;

import java.util.EnumSet;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import raft.sim.SimConfig;
import raft.sim.SimConfig.Fault;
import raft.sim.SimResult;
import raft.sim.Simulator;

/** Generators of simulated runs (fault schedules) for the properties, and a runner. */
final class Sims {
  /** Long enough for dozens of faults and elections, short enough for 200 runs per property. */
  static final int TICKS = 2000;

  private Sims() {}

  /** The faults of a fixed membership; {@link MembershipProperties} adds membership changes. */
  static final Set<Fault> FIXED_MEMBERSHIP = EnumSet.of(Fault.CRASH, Fault.PARTITION, Fault.DROP);

  /**
   * A run: 3 or 5 nodes, a seed (which also chooses the schedule of faults and the tuning knobs,
   * see {@link SimConfig#vary}), and a non-empty set of fault kinds of a fixed membership.
   */
  static Arbitrary<SimConfig> faultSchedules() {
    Arbitrary<Integer> nodes = Arbitraries.of(3, 5);
    Arbitrary<Long> seeds = Arbitraries.longs().between(1, Long.MAX_VALUE / 2);
    Arbitrary<Set<Fault>> faults = Arbitraries.of(FIXED_MEMBERSHIP).set().ofMinSize(1)
        .map(s -> (Set<Fault>) EnumSet.copyOf(s));
    return Combinators.combine(nodes, seeds, faults).as(Sims::schedule);
  }

  /** One run of {@link #TICKS} ticks, its tuning knobs derived from the seed. */
  static SimConfig schedule(int nodes, long seed, Set<Fault> faults) {
    SimConfig c = new SimConfig();
    c.nodes = nodes;
    c.seed = seed;
    c.ticks = TICKS;
    c.faults = faults;
    return c.vary();
  }

  static SimResult run(SimConfig c) {
    return new Simulator(c, null).run();
  }
}
