package raft.lessons;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import raft.sim.SimConfig;
import raft.sim.SimResult;
import raft.sim.Simulator;

/**
 * What a bigger cluster costs, measured in a fault-free run with a steady client load: network
 * messages per acknowledged proposal (appends, acknowledgements and heartbeats all count), and
 * the median time from a proposal to its acknowledgement on the member the client talks to.
 */
public final class PriceOfSize {
  private PriceOfSize() {}

  /** One cluster size's cost. */
  public record Cost(int n, double messagesPerCommit, double medianLatencyTicks, long commits) {}

  public static Cost measure(int n, long seed, long ticks) {
    SimConfig c = new SimConfig();
    c.nodes = n;
    c.seed = seed;
    c.ticks = ticks;
    c.proposalsPerTick = 2;
    c.readsPerTick = 0;
    c.measureLatency = true;
    SimResult r = new Simulator(c, null).run();
    if (!r.safe()) {
      throw new IllegalStateException("unsafe run while measuring cost: " + r.summary());
    }
    List<Long> lat = new ArrayList<>(r.stats().latencies);
    Collections.sort(lat);
    double median = lat.isEmpty() ? Double.NaN
        : lat.get(lat.size() / 2) / (double) Simulator.TICK;
    return new Cost(n, (double) r.stats().messages / Math.max(1, lat.size()), median, lat.size());
  }
}
