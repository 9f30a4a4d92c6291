package raft.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import raft.pb.Entry;

/**
 * Model-vs-naive: a follower's {@link RaftLog} receiving AppendEntries cut from one leader's
 * log (duplicated, reordered, stale), interleaved with persisting and applying, must agree
 * with a plain list of terms that implements §5.3 literally. The follower starts with a log
 * that shares a committed prefix with the leader's and then diverges.
 */
class RaftLogProperties {

  @Provide
  Arbitrary<List<Integer>> ops() {
    return Arbitraries.integers().between(0, 1_000_000).list().ofMaxSize(40);
  }

  /** The naive follower: terms.get(i - 1) is the term of entry i. */
  static final class Model {
    final List<Long> terms = new ArrayList<>();
    long commit;

    long term(long i) {
      return i == 0 ? 0 : terms.get((int) i - 1);
    }

    long maybeAppend(long prev, long prevTerm, long leaderCommit, List<Long> ents) {
      if (prev > terms.size() || term(prev) != prevTerm) {
        return -1;
      }
      for (int k = 0; k < ents.size(); k++) {
        long i = prev + 1 + k;
        if (i <= terms.size() && term(i) == ents.get(k)) {
          continue; // already present
        }
        while (terms.size() >= i) {
          terms.remove(terms.size() - 1); // §5.3: delete the conflicting entry and what follows
        }
        terms.add(ents.get(k));
      }
      long lastNew = prev + ents.size();
      commit = Math.max(commit, Math.min(leaderCommit, lastNew));
      return lastNew;
    }
  }

  static List<Long> terms(RaftLog l) {
    return l.allEntries().stream().map(Entry::getTerm).toList();
  }

  static void persist(MemoryStorage s, RaftLog l, int upTo) {
    List<Entry> u = l.unstableEntries();
    if (u.isEmpty()) {
      return;
    }
    List<Entry> part = u.subList(0, Math.min(upTo, u.size()));
    s.append(part);
    Entry last = part.get(part.size() - 1);
    l.stableTo(last.getIndex(), last.getTerm());
  }

  @Property(tries = 400)
  @Label("§5.3: a follower's log agrees with a naive model of AppendEntries")
  void followerMatchesModel(
      @ForAll @IntRange(min = 0, max = 5) int common,
      @ForAll @IntRange(min = 0, max = 4) int followerTail,
      @ForAll @IntRange(min = 0, max = 5) int leaderTail,
      @ForAll @IntRange(min = 0, max = 5) int initialCommit,
      @ForAll("ops") List<Integer> ops) {
    // Shared prefix with terms 1,1,2,2,3,...; then the follower holds stale entries of term
    // T and the leader newer ones of term T+1 (one index per term step keeps it interesting).
    List<Long> shared = new ArrayList<>();
    for (int i = 0; i < common; i++) {
      shared.add((long) i / 2 + 1);
    }
    long t = shared.isEmpty() ? 1 : shared.get(shared.size() - 1) + 1;
    List<Long> follower = new ArrayList<>(shared);
    List<Long> leader = new ArrayList<>(shared);
    for (int i = 0; i < followerTail; i++) {
      follower.add(t);
    }
    for (int i = 0; i < leaderTail; i++) {
      leader.add(t + 1 + i / 2);
    }

    MemoryStorage s = new MemoryStorage();
    s.append(raft.TestLogs.ents(1, follower.stream().mapToLong(Long::longValue).toArray()));
    RaftLog log = new RaftLog(s, Long.MAX_VALUE);
    Model m = new Model();
    m.terms.addAll(follower);
    long c = Math.min(initialCommit, common); // only the shared prefix can be committed
    log.commitTo(c);
    m.commit = c;

    int n = leader.size();
    for (int op : ops) {
      int a = op / 4 % 17;
      int b = op / 68 % 17;
      int d = op / 1156 % 17;
      String what;
      switch (op % 4) {
        case 0, 1 -> { // an AppendEntries cut from the leader's log
          int prev = a % (n + 1);
          List<Long> ents = leader.subList(prev, prev + b % (n - prev + 1));
          long prevTerm = prev == 0 ? 0 : leader.get(prev - 1);
          long leaderCommit = d % (n + 1);
          what = "append(prev=" + prev + "/" + prevTerm + ", commit=" + leaderCommit + ", "
              + ents + ")";
          long want = m.maybeAppend(prev, prevTerm, leaderCommit, ents);
          List<Entry> es = new ArrayList<>();
          for (int k = 0; k < ents.size(); k++) {
            es.add(raft.TestLogs.e(prev + 1 + k, ents.get(k)));
          }
          assertEquals(want, log.maybeAppend(prev, prevTerm, leaderCommit, es), what);
        }
        case 2 -> {
          what = "persist(" + (a + 1) + ")";
          persist(s, log, a + 1);
        }
        default -> {
          what = "apply";
          List<Entry> next = log.nextCommittedEntries();
          for (Entry e : next) {
            assertTrue(e.getIndex() <= log.commitIndex(), "applying uncommitted " + e);
            assertTrue(e.getIndex() <= log.stableLastIndex(), "applying unpersisted " + e);
            assertEquals(m.term(e.getIndex()), e.getTerm(), "applying a stale entry");
          }
          if (!next.isEmpty()) {
            log.appliedTo(next.get(next.size() - 1).getIndex());
          }
        }
      }
      checkInvariants(log, s, m, what);
    }

    // Finally the leader sends everything: the follower's log then starts with the leader's,
    // and holds nothing else unless the leader has nothing there to conflict with.
    assertEquals(n, log.maybeAppend(0, 0, n, leaderEntries(leader)));
    m.maybeAppend(0, 0, n, leader);
    persist(s, log, Integer.MAX_VALUE);
    checkInvariants(log, s, m, "the final full append");
    assertEquals(leader, terms(log).subList(0, n));
    if (leaderTail > 0 || followerTail == 0) {
      assertEquals(leader, terms(log));
    }
    assertEquals(Math.max(c, n), log.commitIndex());
    assertEquals(log.lastIndex(), log.stableLastIndex());
  }

  private static List<Entry> leaderEntries(List<Long> leader) {
    return raft.TestLogs.ents(1, leader.stream().mapToLong(Long::longValue).toArray());
  }

  private static void checkInvariants(RaftLog log, MemoryStorage s, Model m, String after) {
    assertEquals(m.terms, terms(log), "log after " + after);
    assertEquals(m.commit, log.commitIndex(), "commitIndex after " + after);
    assertEquals(m.terms.size(), log.lastIndex(), "lastIndex after " + after);
    assertTrue(log.lastApplied() <= log.commitIndex(), "lastApplied <= commitIndex");
    long stable = log.stableLastIndex();
    assertTrue(stable <= log.lastIndex(), "stableLastIndex <= lastIndex after " + after);
    // What the log calls stable is really on disk, with the same terms.
    for (long i = 1; i <= stable; i++) {
      assertEquals(m.term(i), s.term(i), "persisted entry " + i + " after " + after);
    }
    // The unstable tail is exactly the rest of the log.
    List<Entry> u = log.unstableEntries();
    for (int k = 0; k < u.size(); k++) {
      assertEquals(stable + 1 + k, u.get(k).getIndex(), "unstable tail after " + after);
    }
    assertEquals(log.lastIndex(), stable + u.size(), "unstable tail ends the log after " + after);
  }
}
