package raft;

import java.util.ArrayList;
import java.util.List;
import raft.pb.Entry;
import raft.log.MemoryStorage;

/** Builders of entries and storages shared by the raft-core tests. */
public final class TestLogs {
  private TestLogs() {}

  public static Entry e(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term).build();
  }

  /** Consecutive entries starting at {@code first}, with the given terms. */
  public static List<Entry> ents(long first, long... terms) {
    List<Entry> l = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      l.add(e(first + i, terms[i]));
    }
    return l;
  }

  /** A storage holding (already persisted) entries 1..n with the given terms. */
  public static MemoryStorage stored(long... terms) {
    MemoryStorage s = new MemoryStorage();
    s.append(ents(1, terms));
    return s;
  }
}
