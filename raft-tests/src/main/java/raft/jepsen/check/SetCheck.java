package raft.jepsen.check;

import java.util.Set;
import java.util.TreeSet;

/** The lost-write check of the set workload. Pure; safe from any thread. */
public final class SetCheck {

  private SetCheck() {}

  /**
   * @param acknowledgedAdds adds that completed OK: each must be in the final read
   * @param uncertainAdds adds that completed INFO: each may or may not be in the final read
   * @param finalRead the set read after everything was healed
   */
  public static SetVerdict check(Set<String> acknowledgedAdds, Set<String> uncertainAdds,
      Set<String> finalRead) {
    Set<String> lost = new TreeSet<>(acknowledgedAdds);
    lost.removeAll(finalRead);
    Set<String> unexpected = new TreeSet<>(finalRead);
    unexpected.removeAll(acknowledgedAdds);
    unexpected.removeAll(uncertainAdds);
    Set<String> recovered = new TreeSet<>(uncertainAdds);
    recovered.retainAll(finalRead);
    recovered.removeAll(acknowledgedAdds);
    return new SetVerdict(lost, unexpected, recovered, acknowledgedAdds.size());
  }
}
