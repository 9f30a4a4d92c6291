package raft.sim;

import java.util.List;

/**
 * The outcome of one run.
 *
 * @param violatedProperty null if every safety property held
 * @param traceTail the last events before the violation (empty if none)
 * @param configurations distinct configurations committed (1 if the membership never changed)
 */
public record SimResult(SimConfig config, String violatedProperty, String detail, long endTick,
    SimStats stats, long committed, List<String> traceTail, long configurations) {

  public boolean safe() {
    return violatedProperty == null;
  }

  /** The one-line summary the simulate command ends with. */
  public String summary() {
    if (!safe()) {
      return "safety: VIOLATED " + violatedProperty + " nodes=" + config.nodes + " seed="
          + config.seed + " tick=" + endTick + ": " + detail;
    }
    return "safety: ok nodes=" + config.nodes + " seed=" + config.seed + " ticks=" + config.ticks
        + " elections=" + stats.elections + " leaders=" + stats.leaders + " committed="
        + committed + " reads=" + stats.reads + " faults=" + stats.faults
        + (config.faults.contains(SimConfig.Fault.MEMBERS) ? " configurations="
            + configurations + " added=" + stats.membersAdded : "");
  }

  /** The summary, the trace tail and how to replay: what a failing test prints. */
  public String report() {
    StringBuilder b = new StringBuilder(summary()).append('\n');
    if (!traceTail.isEmpty()) {
      b.append(safe() ? "stopped by the bound on events; last events:\n" : "last events:\n");
      traceTail.forEach(l -> b.append("  ").append(l).append('\n'));
    }
    return b.append("replay: ").append(config.replayCommand()).toString();
  }
}
