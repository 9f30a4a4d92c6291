package raft.kv.server;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import raft.runtime.NodeRuntime;

/**
 * Leader changes as this member sees them: logged in plain words (the lesson of a killed
 * leader is watching this line appear on the survivors), handed to the lease timer, and
 * offered as futures to whoever waits for a particular leader (MoveLeader).
 */
final class LeaderEvents implements NodeRuntime.LeaderListener {
  private final LongFunction<String> nameOf;
  private final Consumer<String> log;
  private final Runnable onPromoted;
  private final Map<CompletableFuture<Void>, Long> waiting = new ConcurrentHashMap<>();

  LeaderEvents(LongFunction<String> nameOf, Consumer<String> log, Runnable onPromoted) {
    this.nameOf = nameOf;
    this.log = log;
    this.onPromoted = onPromoted;
  }

  @Override
  public void leaderChanged(long lead, long term, boolean isSelf) {
    if (lead == 0) {
      log.accept("no leader in term " + term + " (an election is under way)");
    } else {
      log.accept((isSelf ? "this member (" + nameOf.apply(lead) + ") is now the leader"
          : "leader is now " + nameOf.apply(lead)) + " in term " + term);
    }
    if (isSelf) {
      onPromoted.run();
    }
    waiting.forEach((f, target) -> {
      if (target == lead) {
        f.complete(null);
      }
    });
  }

  /** Completes when this member sees {@code target} become leader. */
  CompletableFuture<Void> whenLeaderIs(long target) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    waiting.put(f, target);
    f.whenComplete((v, t) -> waiting.remove(f));
    return f;
  }
}
