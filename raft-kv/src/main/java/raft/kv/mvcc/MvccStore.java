package raft.kv.mvcc;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.CompactionResponse;
import raft.kv.api.etcdserverpb.DeleteRangeRequest;
import raft.kv.api.etcdserverpb.DeleteRangeResponse;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.PutResponse;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.api.etcdserverpb.ResponseHeader;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.api.etcdserverpb.TxnResponse;
import raft.kv.api.mvccpb.Event;
import raft.kv.api.mvccpb.KeyValue;
import raft.kv.pb.ChangeState;
import raft.kv.pb.KeyHistoryState;
import raft.kv.pb.KvState;

/**
 * etcd's multi-version key-value store, in memory: one global revision, and per key its history
 * of puts and deletes since the last compaction.
 *
 * <p>Revisions: an empty store is at revision 1 (as etcd). Every request that writes something
 * takes the next revision, shared by all its writes (a txn, a delete range, a lease revoke); a
 * txn without writes and a delete that deletes nothing leave the revision alone.
 *
 * <p>Threading: writes ({@link #put}, {@link #deleteRange}, {@link #txn}, {@link #compact},
 * {@link #deleteKeys}, {@link #restoreFrom}) come from the single apply thread and take the
 * write lock; {@link #range} and the other reads may come from any thread and take the read
 * lock, so they see whole revisions only. The {@link RevisionListener} is called after each
 * write on the writing thread, outside the lock. No method blocks except on the lock.
 */
public final class MvccStore {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final LeaseIndex leases;
  private volatile RevisionListener listener = (rev, events) -> { };

  // Guarded by lock.
  private final KeyIndex index = new KeyIndex();
  // Invariant: compactRevision <= currentRevision.
  private long currentRevision = 1;
  private long compactRevision = 0;
  // Invariant: equals measure() whenever the lock is free; written under the write lock,
  // read without it (volatile), since every write's quota check reads it.
  private volatile long sizeBytes = 0;
  // The part of sizeBytes no compaction can free: each key's current value (and the key), for
  // keys not deleted. The rest is history. Same invariant as sizeBytes (see measureLive).
  private volatile long liveBytes = 0;
  // Keys whose latest change is not a delete (etcd's keys_total); same discipline as liveBytes.
  private volatile long liveKeys = 0;
  private final HistoryMarks marks = new HistoryMarks();

  public MvccStore(LeaseIndex leases) {
    this.leases = leases;
  }

  /** A store without leases (any put naming a lease is refused). */
  public MvccStore() {
    this(LeaseIndex.NONE);
  }

  public void setRevisionListener(RevisionListener listener) {
    this.listener = listener;
  }

  public long currentRevision() {
    lock.readLock().lock();
    try {
      return currentRevision;
    } finally {
      lock.readLock().unlock();
    }
  }

  public long compactRevision() {
    lock.readLock().lock();
    try {
      return compactRevision;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * About how many heap bytes the store's history holds: what the space quota is checked
   * against (etcd checks its database file instead; ours lives in memory). See {@link Sizes}.
   */
  public long sizeBytes() {
    return sizeBytes;
  }

  /** How many keys exist now (deleted ones not counted): etcd's keys_total. */
  public long keyCount() {
    return liveKeys;
  }

  private static int isLive(KeyHistory h) {
    return h.isEmpty() || h.latest() == null ? 0 : 1;
  }

  /** The part of {@link #sizeBytes} that no compaction can free: the keys' current values. */
  public long liveBytes() {
    return liveBytes;
  }

  /**
   * The revision to compact at so that about {@code keepBytes} of history (what {@link
   * #sizeBytes} holds beyond {@link #liveBytes}) is left, or more only if the store's marks are
   * coarse: the oldest such revision that the store has a mark for, else the current revision
   * (which leaves no history but the live data). Always above the compact revision, unless
   * nothing was written since the last compaction.
   */
  public long compactionRevisionKeeping(long keepBytes) {
    lock.readLock().lock();
    try {
      long marked = marks.oldestKeeping(keepBytes);
      return marked > compactRevision ? marked : currentRevision;
    } finally {
      lock.readLock().unlock();
    }
  }

  public RangeResponse range(RangeRequest req) {
    RequestChecks.checkRange(req);
    lock.readLock().lock();
    try {
      return rangeLocked(req, null);
    } finally {
      lock.readLock().unlock();
    }
  }

  public PutResponse put(PutRequest req) {
    RequestChecks.checkPut(req);
    return write(batch -> {
      checkPutPreconditions(req, true);
      return putLocked(batch, req);
    }, (resp, rev) -> resp.toBuilder().setHeader(header(rev)).build());
  }

  public DeleteRangeResponse deleteRange(DeleteRangeRequest req) {
    RequestChecks.checkDelete(req);
    return write(batch -> deleteLocked(batch, req),
        (resp, rev) -> resp.toBuilder().setHeader(header(rev)).build());
  }

  public TxnResponse txn(TxnRequest req) {
    RequestChecks.checkTxn(req);
    return write(batch -> new TxnRunner(this, batch).run(req),
        (resp, rev) -> resp.toBuilder().setHeader(header(rev)).build());
  }

  /**
   * Deletes the given keys (those that exist) at one new revision, as a lease revoke does.
   *
   * @return the store revision afterwards
   */
  public long deleteKeys(Collection<ByteString> keys) {
    TreeSet<ByteString> sorted = new TreeSet<>(KeyRange.ORDER);
    sorted.addAll(keys);
    return write(batch -> {
      for (ByteString k : sorted) {
        if (currentKv(batch, k) != null) {
          batch.delete(k);
        }
      }
      return null;
    }, (ignored, rev) -> rev);
  }

  /**
   * Drops history before {@code revision} (each key keeps what a read at that revision sees).
   * Does not change the revision.
   */
  public CompactionResponse compact(CompactionRequest req) {
    long rev = req.getRevision();
    lock.writeLock().lock();
    try {
      if (rev <= compactRevision) {
        throw KvException.compacted();
      }
      if (rev > currentRevision) {
        throw KvException.futureRevision();
      }
      compactRevision = rev;
      index.removeIf(h -> h.compact(rev));
      sizeBytes = measure(); // compaction already walks every key
      marks.compacted(rev);
      return CompactionResponse.newBuilder().setHeader(header(currentRevision)).build();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * The events on keys in [key, rangeEnd) at revisions from..to (inclusive), grouped by
   * revision, each with prev_kv. Throws the compacted error if history before {@code from} is
   * gone (from < compact revision, as etcd's watch).
   */
  public List<RevisionEvents> history(ByteString key, ByteString rangeEnd, long from, long to) {
    lock.readLock().lock();
    try {
      if (from < compactRevision) {
        throw KvException.compacted();
      }
      return HistoryReplay.collect(index.slice(key, rangeEnd), from, to);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A hash of the history as of a revision (etcd's HashKV). */
  public record Hash(long crc, long revision, long compactRevision) {}

  /**
   * A CRC-32C of the history as of {@code revision} (0: the current one): every key, in key
   * order, and each of its retained changes at or before that revision, with the key-value's
   * fields. Members that applied the same log agree on it, even if one has applied more since:
   * what {@code etcdctl endpoint hashkv} compares to show that replicas are identical. A
   * compaction changes it (it drops history), on every member alike.
   */
  public Hash hash(long revision) {
    lock.readLock().lock();
    try {
      checkReadRevision(revision);
      long rev = revision > 0 ? revision : currentRevision;
      CRC32C crc = new CRC32C();
      ByteBuffer numbers = ByteBuffer.allocate(6 * Long.BYTES);
      for (Map.Entry<ByteString, KeyHistory> e : index.entries()) {
        for (Change c : e.getValue().changes()) {
          if (c.main() > rev) {
            break;
          }
          KeyValue kv = c.kv();
          crc.update(e.getKey().asReadOnlyByteBuffer());
          numbers.clear();
          numbers.putLong(c.main()).putLong(c.sub()).putLong(kv.getCreateRevision())
              .putLong(kv.getVersion()).putLong(kv.getLease()).putLong(kv.getValue().size());
          crc.update(numbers.flip());
          crc.update(kv.getValue().asReadOnlyByteBuffer());
        }
      }
      return new Hash(crc.getValue(), rev, compactRevision);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Adds the key histories and revisions to a snapshot. */
  public void writeTo(CodedOutputStream state) throws IOException {
    lock.readLock().lock();
    try {
      // KvState fields 2, 3, 4, in order and skipping defaults, as KvState.writeTo would.
      if (currentRevision != 0) {
        state.writeInt64(KvState.REVISION_FIELD_NUMBER, currentRevision);
      }
      if (compactRevision != 0) {
        state.writeInt64(KvState.COMPACT_REVISION_FIELD_NUMBER, compactRevision);
      }
      for (Map.Entry<ByteString, KeyHistory> e : index.entries()) {
        KeyHistoryState.Builder h = KeyHistoryState.newBuilder().setKey(e.getKey());
        for (Change c : e.getValue().changes()) {
          h.addChanges(ChangeState.newBuilder().setMain(c.main()).setSub(c.sub()).setKv(c.kv()));
        }
        state.writeMessage(KvState.KEYS_FIELD_NUMBER, h.build());
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Replaces everything with a snapshot's state; re-attaches keys to their leases. */
  public void restoreFrom(KvState state) {
    lock.writeLock().lock();
    try {
      index.clear();
      sizeBytes = 0;
      liveBytes = 0;
      liveKeys = 0;
      currentRevision = state.getRevision();
      compactRevision = state.getCompactRevision();
      for (KeyHistoryState h : state.getKeysList()) {
        KeyHistory history = new KeyHistory(h.getKey());
        for (ChangeState c : h.getChangesList()) {
          history.append(new Change(c.getMain(), c.getSub(), c.getKv()));
        }
        index.put(h.getKey(), history);
        sizeBytes += Sizes.key(h.getKey()) + Sizes.history(history);
        liveBytes += Sizes.live(history);
        liveKeys += isLive(history);
        KeyValue latest = history.latest();
        if (latest != null && latest.getLease() != 0) {
          leases.attach(latest.getLease(), h.getKey());
        }
      }
      marks.restored(sizeBytes - liveBytes, currentRevision);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The size estimate recomputed from scratch; tests compare it with the running total. */
  long measure() {
    long bytes = 0;
    for (Map.Entry<ByteString, KeyHistory> e : index.entries()) {
      bytes += Sizes.key(e.getKey()) + Sizes.history(e.getValue());
    }
    return bytes;
  }

  /** The live part of the estimate recomputed from scratch, for tests. */
  long measureLive() {
    long bytes = 0;
    for (Map.Entry<ByteString, KeyHistory> e : index.entries()) {
      bytes += Sizes.live(e.getValue());
    }
    return bytes;
  }

  // ---- package-private helpers for TxnRunner; callers hold the write lock ----

  interface BatchWork<T> {
    T run(WriteBatch batch);
  }

  interface Finish<T, R> {
    R apply(T result, long revision);
  }

  /** Runs one write request as a batch; commits only if it returns, then notifies. */
  private <T, R> R write(BatchWork<T> work, Finish<T, R> finish) {
    List<Event> events;
    R result;
    long rev;
    lock.writeLock().lock();
    try {
      WriteBatch batch = new WriteBatch(currentRevision + 1);
      T partial = work.run(batch);
      events = commit(batch);
      rev = currentRevision;
      result = finish.apply(partial, rev);
    } finally {
      lock.writeLock().unlock();
    }
    if (!events.isEmpty()) {
      listener.committed(rev, events);
    }
    return result;
  }

  private List<Event> commit(WriteBatch batch) {
    if (batch.isEmpty()) {
      return List.of();
    }
    CommittedEvents events = new CommittedEvents(batch.changes.size());
    marks.beforeRevision(batch.revision);
    for (Change written : batch.changes) {
      ByteString key = written.kv().getKey();
      KeyHistory h = index.getOrCreate(key);
      KeyValue prev = h.latest();
      if (h.isEmpty()) { // a new key
        sizeBytes += Sizes.key(key);
      }
      liveBytes -= Sizes.live(h);
      liveKeys -= isLive(h);
      marks.add(Sizes.superseded(h, written));
      // A tombstone takes its key from the index: the deleted value's key is a view into that
      // value's entry and would keep the value alive. (deleteLocked writes most with the
      // index's key already; the same object, so no second tombstone is made.)
      Change c = written.isTombstone() && written.kv().getKey() != h.key()
          ? Change.tombstone(h.key(), written.main(), written.sub()) : written;
      h.append(c);
      sizeBytes += Sizes.change(c);
      liveBytes += Sizes.live(h);
      liveKeys += isLive(h);
      updateLeases(h.key(), prev, c);
      events.add(c, prev);
    }
    currentRevision = batch.revision;
    return events;
  }

  private void updateLeases(ByteString key, KeyValue prev, Change c) {
    long newLease = c.isTombstone() ? 0 : c.kv().getLease();
    if (prev != null && prev.getLease() != 0 && prev.getLease() != newLease) {
      leases.detach(prev.getLease(), key);
    }
    if (newLease != 0) {
      leases.attach(newLease, key);
    }
  }

  static ResponseHeader header(long revision) {
    return ResponseHeader.newBuilder().setRevision(revision).build();
  }

  long currentRevisionLocked() {
    return currentRevision;
  }

  /** The revision reads inside {@code batch} see: the batch's own once it has written. */
  long viewRevision(WriteBatch batch) {
    return batch == null || batch.isEmpty() ? currentRevision : batch.revision;
  }

  void checkReadRevision(long rev) {
    if (rev > currentRevision) {
      throw KvException.futureRevision();
    }
    if (rev > 0 && rev < compactRevision) {
      throw KvException.compacted();
    }
  }

  RangeResponse rangeLocked(RangeRequest req, WriteBatch batch) {
    checkReadRevision(req.getRevision());
    List<KeyValue> kvs = req.getRevision() > 0
        ? liveAt(req.getKey(), req.getRangeEnd(), req.getRevision())
        : currentKvs(batch, req.getKey(), req.getRangeEnd());
    return RangeResults.build(req, kvs, viewRevision(batch));
  }

  /** Committed key-values in the range as of revision rev, in key order. */
  List<KeyValue> liveAt(ByteString key, ByteString rangeEnd, long rev) {
    List<KeyValue> out = new ArrayList<>();
    for (KeyHistory h : index.histories(key, rangeEnd)) {
      KeyValue kv = h.liveAt(rev);
      if (kv != null) {
        out.add(kv);
      }
    }
    return out;
  }

  /** The newest key-values in the range, including the batch's pending writes. */
  List<KeyValue> currentKvs(WriteBatch batch, ByteString key, ByteString rangeEnd) {
    if (batch == null || batch.isEmpty()) {
      return liveAt(key, rangeEnd, currentRevision);
    }
    TreeMap<ByteString, KeyValue> merged = new TreeMap<>(KeyRange.ORDER);
    for (KeyValue kv : liveAt(key, rangeEnd, currentRevision)) {
      merged.put(kv.getKey(), kv);
    }
    NavigableMap<ByteString, Change> pending = KeyRange.slice(batch.pending(), key, rangeEnd);
    for (Change c : pending.values()) {
      if (c.isTombstone()) {
        merged.remove(c.kv().getKey());
      } else {
        merged.put(c.kv().getKey(), c.kv());
      }
    }
    return new ArrayList<>(merged.values());
  }

  /** The newest value of one key including pending writes, or null. */
  KeyValue currentKv(WriteBatch batch, ByteString key) {
    Change c = batch == null || batch.isEmpty() ? null : batch.pending().get(key);
    if (c != null) {
      return c.isTombstone() ? null : c.kv();
    }
    KeyHistory h = index.get(key);
    return h == null ? null : h.latest();
  }

  /**
   * A put's checks against the state before the request. etcd checks the lease first for a
   * plain put but the key first inside a txn; we keep both orders.
   */
  void checkPutPreconditions(PutRequest req, boolean leaseFirst) {
    boolean leaseOk = req.getLease() == 0 || leases.exists(req.getLease());
    if (leaseFirst && !leaseOk) {
      throw KvException.leaseNotFound();
    }
    if ((req.getIgnoreValue() || req.getIgnoreLease()) && currentKv(null, req.getKey()) == null) {
      throw KvException.keyNotFound();
    }
    if (!leaseOk) {
      throw KvException.leaseNotFound();
    }
  }

  PutResponse putLocked(WriteBatch batch, PutRequest req) {
    KeyValue prev = currentKv(batch, req.getKey());
    KeyValue kv = KeyValue.newBuilder()
        .setKey(req.getKey())
        .setCreateRevision(prev == null ? batch.revision : prev.getCreateRevision())
        .setModRevision(batch.revision)
        .setVersion(prev == null ? 1 : prev.getVersion() + 1)
        .setValue(req.getIgnoreValue() ? prev.getValue() : req.getValue())
        .setLease(req.getIgnoreLease() ? prev.getLease() : req.getLease())
        .build();
    batch.put(kv);
    PutResponse.Builder resp = PutResponse.newBuilder().setHeader(header(batch.revision));
    if (req.getPrevKv() && prev != null) {
      resp.setPrevKv(prev);
    }
    return resp.build();
  }

  /**
   * A delete of a range costs, beside the tombstones it leaves in the store, a few references
   * per key: the keys are taken from the index as they are walked (no list of what dies), and
   * each tombstone is written with the index's own copy of its key, so the commit keeps it as
   * it is. The response carries the deleted key-values only if prev_kv asks for them.
   */
  DeleteRangeResponse deleteLocked(WriteBatch batch, DeleteRangeRequest req) {
    DeleteRangeResponse.Builder resp = DeleteRangeResponse.newBuilder();
    long deleted = 0;
    if (batch.isEmpty()) { // the state before the request: the index alone
      for (KeyHistory h : index.histories(req.getKey(), req.getRangeEnd())) {
        KeyValue kv = h.latest();
        if (kv != null) {
          deleted++;
          batch.delete(h.key());
          if (req.getPrevKv()) {
            resp.addPrevKvs(kv);
          }
        }
      }
    } else { // inside a txn that wrote already: its pending writes count too
      for (KeyValue kv : currentKvs(batch, req.getKey(), req.getRangeEnd())) {
        deleted++;
        batch.delete(kv.getKey());
        if (req.getPrevKv()) {
          resp.addPrevKvs(kv);
        }
      }
    }
    return resp.setDeleted(deleted).setHeader(header(viewRevision(batch))).build();
  }
}
