package raft.log;

import java.util.ArrayList;
import java.util.List;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;

/**
 * A {@link Storage} kept in memory: the simulator's "disk" and the reference for durable
 * implementations. Thread-safe (each method holds its lock briefly): a real member's storage
 * thread writes it while the node's loop reads it.
 *
 * <p>Layout: {@code ents.get(0)} is a dummy entry holding the index and term of the last
 * snapshot (index 0, term 0 when there is none), so that {@link #term} answers for
 * {@code firstIndex() - 1}, which the consistency check of §5.3 needs.
 */
public final class MemoryStorage implements Storage {
  private HardState hardState = HardState.getDefaultInstance();
  private Snapshot snapshot = Snapshot.newBuilder()
      .setMetadata(SnapshotMetadata.getDefaultInstance()).build();
  // Never empty (ents.get(0) is the dummy), and ents.get(i).getIndex() == ents.get(0).getIndex()
  // + i: checked by raft.core.Invariants.INDEXES_CONSECUTIVE.
  private final ArrayList<Entry> ents = new ArrayList<>();

  public MemoryStorage() {
    ents.add(Entry.getDefaultInstance());
  }

  /** A storage for a brand-new member of a cluster whose voters are {@code peers}. */
  public static MemoryStorage bootstrap(List<Long> peers) {
    MemoryStorage s = new MemoryStorage();
    ConfState cs = ConfState.newBuilder().addAllVoters(peers).build();
    s.snapshot = Snapshot.newBuilder()
        .setMetadata(SnapshotMetadata.newBuilder().setConfState(cs)).build();
    return s;
  }

  @Override
  public synchronized InitialState initialState() {
    return new InitialState(hardState, snapshot.getMetadata().getConfState(),
        snapshot.getMetadata().getIndex());
  }

  public synchronized HardState hardState() {
    return hardState;
  }

  public synchronized void setHardState(HardState hs) {
    this.hardState = hs;
  }

  @Override
  public synchronized List<Entry> entries(long lo, long hi, long maxSize) {
    long offset = offset();
    if (lo <= offset) {
      throw new CompactedException(lo, offset + 1);
    }
    if (hi > lastIndex() + 1) {
      throw new UnavailableException(hi - 1, lastIndex());
    }
    return limitSize(ents.subList((int) (lo - offset), (int) (hi - offset)), maxSize);
  }

  @Override
  public synchronized long term(long i) {
    long offset = offset();
    if (i < offset) {
      throw new CompactedException(i, offset + 1);
    }
    if (i - offset >= ents.size()) {
      throw new UnavailableException(i, lastIndex());
    }
    return ents.get((int) (i - offset)).getTerm();
  }

  @Override
  public synchronized long lastIndex() {
    return offset() + ents.size() - 1;
  }

  @Override
  public synchronized long firstIndex() {
    return offset() + 1;
  }

  @Override
  public synchronized Snapshot snapshot() {
    return snapshot;
  }

  /** Replaces the whole content with a snapshot received from the leader (§7). */
  public synchronized void applySnapshot(Snapshot snap) {
    if (snap.getMetadata().getIndex() <= snapshot.getMetadata().getIndex()) {
      return; // older than what we have: nothing to do
    }
    snapshot = snap;
    ents.clear();
    ents.add(Entry.newBuilder()
        .setIndex(snap.getMetadata().getIndex()).setTerm(snap.getMetadata().getTerm()).build());
  }

  /**
   * Records a snapshot of the state machine as of {@code index} (which must be applied), so a
   * lagging follower can be sent it. Call {@link #compact} afterwards to drop the entries.
   */
  public synchronized Snapshot createSnapshot(long index, ConfState cs,
      com.google.protobuf.ByteString data) {
    if (index <= snapshot.getMetadata().getIndex()) {
      return snapshot;
    }
    if (index > lastIndex()) {
      throw new UnavailableException(index, lastIndex());
    }
    snapshot = Snapshot.newBuilder().setData(data).setMetadata(SnapshotMetadata.newBuilder()
        .setIndex(index).setTerm(term(index)).setConfState(cs)).build();
    return snapshot;
  }

  /** Log compaction (§7): discards entries up to and including {@code compactIndex}. */
  public synchronized void compact(long compactIndex) {
    long offset = offset();
    if (compactIndex <= offset) {
      return;
    }
    if (compactIndex > lastIndex()) {
      throw new UnavailableException(compactIndex, lastIndex());
    }
    int i = (int) (compactIndex - offset);
    Entry dummy = Entry.newBuilder()
        .setIndex(ents.get(i).getIndex()).setTerm(ents.get(i).getTerm()).build();
    List<Entry> rest = new ArrayList<>(ents.subList(i + 1, ents.size()));
    ents.clear();
    ents.add(dummy);
    ents.addAll(rest);
  }

  /**
   * Appends entries that the protocol handed over in a Ready. Entries that overlap existing
   * ones replace them from the first overlapping index on (the protocol has already decided
   * that those conflict, §5.3); entries older than the snapshot are ignored.
   */
  public synchronized void append(List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    long first = firstIndex();
    long last = entries.get(entries.size() - 1).getIndex();
    if (last < first) {
      return;
    }
    List<Entry> todo = entries;
    if (first > entries.get(0).getIndex()) {
      todo = entries.subList((int) (first - entries.get(0).getIndex()), entries.size());
    }
    long offset = todo.get(0).getIndex() - offset();
    if (offset > ents.size()) {
      throw new IllegalStateException("missing log entry: last index " + lastIndex()
          + ", appending at " + todo.get(0).getIndex());
    }
    ents.subList((int) offset, ents.size()).clear();
    ents.addAll(todo);
  }

  /** An independent copy (the simulator's crash keeps what was durable, as a new storage). */
  public synchronized MemoryStorage copy() {
    MemoryStorage c = new MemoryStorage();
    c.hardState = hardState;
    c.snapshot = snapshot;
    c.ents.clear();
    c.ents.addAll(ents);
    return c;
  }

  private long offset() {
    return ents.get(0).getIndex();
  }

  /** The longest prefix of ents (at least one entry) whose total size is within maxSize. */
  public static List<Entry> limitSize(List<Entry> ents, long maxSize) {
    if (ents.isEmpty()) {
      return List.of();
    }
    long size = ents.get(0).getSerializedSize();
    int n = 1;
    while (n < ents.size()) {
      size += ents.get(n).getSerializedSize();
      if (size > maxSize) {
        break;
      }
      n++;
    }
    return List.copyOf(ents.subList(0, n));
  }
}
