package raft.jepsen;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import raft.jepsen.check.KeyVerdict;
import raft.jepsen.check.Linearizability;
import raft.jepsen.check.ReplicaCheck;
import raft.jepsen.check.ReplicaVerdict;
import raft.jepsen.check.SetCheck;
import raft.jepsen.check.SetVerdict;
import raft.jepsen.check.WatchCheck;
import raft.jepsen.check.WatchVerdict;
import raft.jepsen.client.Event;
import raft.jepsen.history.Op;
import raft.jepsen.report.KeyProblem;

/**
 * The four checks over one {@link RunResult}: per-key linearizability of the register
 * history, lost writes in the set, watch order, and identical replicas. A run passes only when
 * every key is linearizable (an undecided key does not pass), nothing acknowledged is lost,
 * every watcher saw every revision once, in order, and every member hashed its history at the
 * final revision to the same value.
 */
public record Verdicts(Map<String, KeyVerdict> keys, SetVerdict set, WatchVerdict watch,
    ReplicaVerdict replicas, long ops, long info) {

  public static Verdicts of(RunResult r) {
    List<Op> register = new ArrayList<>();
    long info = 0;
    for (Event e : r.events()) {
      if (!e.workload().equals("set")) {
        register.add(e.op());
      }
      if (e.op().outcome() == Op.Outcome.INFO) {
        info++;
      }
    }
    return new Verdicts(Linearizability.checkPerKey(register),
        SetCheck.check(r.acknowledgedAdds(), r.uncertainAdds(), r.finalSet()),
        WatchCheck.check(r.watched(), r.expectedRevisions()),
        ReplicaCheck.check(r.lastRevision(), r.replicas()), r.clientOps(), info);
  }

  public boolean linearizable() {
    return keys.values().stream().allMatch(v -> v.linearizable() && !v.gaveUp());
  }

  public boolean ok() {
    return linearizable() && set.ok() && watch.ok() && replicas.ok();
  }

  /** One line per key, then the set and the watch verdicts. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    keys.forEach((k, v) -> out.add("  key " + k + ": " + v.status()
        + (v.explanation().isEmpty() ? "" : " - " + v.explanation())));
    out.add(String.format("  set: %d acknowledged, %d lost, %d unexpected, %d recovered"
        + " (uncertain adds found)", set.acknowledged(), set.lost().size(),
        set.unexpected().size(), set.recovered().size()));
    if (!set.lost().isEmpty()) {
      out.add("  set: lost " + set.lost().stream().sorted().limit(20).toList());
    }
    out.add(String.format("  watch: %d watchers, %d events, %s", watch.watchers(),
        watch.events(), watch.ok() ? "complete and in order" : watch.problems().size()
            + " problems"));
    watch.problems().stream().limit(20).forEach(p -> out.add("  watch: " + p));
    out.add(String.format("  replicas: %d members hashed at revision %d, %s", replicas.members(),
        replicas.revision(), replicas.ok() ? "identical" : replicas.problems().size()
            + " problems"));
    replicas.problems().forEach(p -> out.add("  replicas: " + p));
    return out;
  }

  /** The keys that are not linearizable, for the report. */
  public List<KeyProblem> problems() {
    List<KeyProblem> out = new ArrayList<>();
    keys.values().stream().filter(v -> !v.linearizable() && !v.gaveUp())
        .forEach(v -> out.add(new KeyProblem(v.key(), v.unplaceable(), v.explanation())));
    return out;
  }
}
