package raft.jepsen.check;

import java.util.List;

/**
 * The verdict of the watch workload.
 *
 * @param watchers how many watchers were checked
 * @param events how many revisions the watchers saw in all
 * @param problems one readable line per problem (gap, duplicate, out of order, unexpected),
 *     each naming the watcher and the revisions
 */
public record WatchVerdict(int watchers, long events, List<String> problems) {

  public WatchVerdict {
    problems = List.copyOf(problems);
  }

  public boolean ok() {
    return problems.isEmpty();
  }
}
