package raft.kv.mvcc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;
import raft.kv.api.mvccpb.KeyValue;

/**
 * The retained history of one key, oldest first, ordered by (main, sub). Not thread-safe: the
 * store guards it with its lock.
 *
 * <p>Layout: parallel primitive arrays rather than a list of {@link Change} objects, because
 * the objects cost more than the data. A 256-byte put held a Change (32 bytes), a KeyValue (72)
 * and two ByteString views (64) beside its Raft entry (about 300): 492 heap bytes per revision
 * on Java 17 (StoreMemory, 100,000 puts over 10,000 keys). Here a revision is 48 bytes of array
 * slots (main, create revision, version and lease in {@code nums}; sub and the value's place in
 * its backing array in {@code ints}; the backing array in {@code refs}) beside the entry it
 * already shared. Key-values are rebuilt on demand (history reads, watch replay, hash,
 * snapshot), except the newest, which is kept as the object it was written as: most reads and
 * every put's prev read it, and rebuilding it each time would allocate on every request.
 *
 * <p>A change that does not fit the compact form exactly (a key-value whose key is not the
 * history's, whose mod_revision is not its main revision, with unknown fields, a value not
 * backed by one array, or a tombstone carrying more than its key) is kept whole in {@code
 * refs}, so that every change reads back equal to what was appended.
 */
final class KeyHistory {
  private static final int LONGS = 4; // main, create_revision, version, lease
  private static final int INTS = 3; // sub, value offset, value length
  /**
   * {@code -Draftkv.store.layout=objects} keeps every change whole (its KeyValue object, as
   * before the compact layout, plus the slots), to measure the layout against the old one with
   * one build; the default is {@code compact}.
   */
  static final boolean COMPACT =
      !"objects".equals(System.getProperty("raftkv.store.layout", "compact"));

  // The key, in an array of its own (see KeyIndex.getOrCreate).
  private final ByteString key;
  // Invariant: sorted by (main, sub); size > 0 while the key is in the store's index.
  private int size;
  private long[] nums;
  private int[] ints;
  // Per change: the value's backing array (a compact put), null (a compact tombstone) or the
  // whole KeyValue (a change kept as it came).
  private Object[] refs;
  // The newest change's key-value as appended, or null if it is a tombstone.
  private KeyValue latest;

  KeyHistory(ByteString key) {
    this.key = key;
    allocate(2);
  }

  ByteString key() {
    return key;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  long main(int i) {
    return nums[i * LONGS];
  }

  int sub(int i) {
    return ints[i * INTS];
  }

  boolean isTombstone(int i) {
    return refs[i] instanceof KeyValue kv ? kv.getVersion() == 0 : nums[i * LONGS + 2] == 0;
  }

  void append(Change c) {
    if (size == refs.length) {
      grow(size + (size >> 1) + 1);
    }
    KeyValue kv = c.kv();
    int n = size * LONGS;
    int m = size * INTS;
    nums[n] = c.main();
    ints[m] = c.sub();
    ValueSlot slot = !compactable(c) ? null
        : kv.getVersion() == 0 ? ValueSlot.NONE : ValueSlot.of(kv.getValue());
    ValueSlot own = slot == null || slot == ValueSlot.NONE ? slot : slot.own();
    if (own != slot) { // copied out of a much larger array, which the newest kv must not hold
      slot = own;
      kv = kv.toBuilder().setValue(UnsafeByteOperations.unsafeWrap(own.array())).build();
    }
    if (slot == null || slot == ValueSlot.NONE) {
      // kept whole, or a plain tombstone (its main revision says it all)
      refs[size] = slot == null ? kv : null;
      nums[n + 1] = 0;
      nums[n + 2] = 0;
      nums[n + 3] = 0;
    } else {
      nums[n + 1] = kv.getCreateRevision();
      nums[n + 2] = kv.getVersion();
      nums[n + 3] = kv.getLease();
      ints[m + 1] = slot.offset();
      ints[m + 2] = slot.length();
      refs[size] = slot.array();
    }
    size++;
    latest = c.isTombstone() ? null : kv;
  }

  /** Whether the change reads back equal from the compact form. */
  private boolean compactable(Change c) {
    KeyValue kv = c.kv();
    if (!COMPACT || kv.getModRevision() != c.main() || !kv.getUnknownFields().asMap().isEmpty()
        || !kv.getKey().equals(key)) {
      return false;
    }
    return kv.getVersion() != 0
        || (kv.getCreateRevision() == 0 && kv.getLease() == 0 && kv.getValue().isEmpty());
  }

  /** The i-th change's key-value, rebuilt if it is held in the compact form. */
  KeyValue kv(int i) {
    if (refs[i] instanceof KeyValue kv) {
      return kv;
    }
    if (i == size - 1 && latest != null) {
      return latest;
    }
    KeyValue.Builder b = KeyValue.newBuilder().setKey(key).setModRevision(main(i));
    if (refs[i] == null) {
      return b.build();
    }
    int n = i * LONGS;
    int m = i * INTS;
    ByteString value = ints[m + 2] == 0 ? ByteString.EMPTY
        : UnsafeByteOperations.unsafeWrap((byte[]) refs[i], ints[m + 1], ints[m + 2]);
    return b.setCreateRevision(nums[n + 1]).setVersion(nums[n + 2]).setLease(nums[n + 3])
        .setValue(value).build();
  }

  /** The i-th change's value size, without rebuilding its key-value. */
  int valueSize(int i) {
    return refs[i] instanceof KeyValue kv ? kv.getValue().size()
        : refs[i] == null ? 0 : ints[i * INTS + 2];
  }

  /** The i-th change's key size (the history's key, unless it was kept whole). */
  int keySize(int i) {
    return refs[i] instanceof KeyValue kv ? kv.getKey().size() : key.size();
  }

  Change change(int i) {
    return new Change(main(i), sub(i), kv(i));
  }

  /** The changes as a list, each rebuilt when read. */
  List<Change> changes() {
    return new Changes();
  }

  private final class Changes extends AbstractList<Change> implements RandomAccess {
    @Override
    public Change get(int i) {
      if (i < 0 || i >= size) {
        throw new IndexOutOfBoundsException(i);
      }
      return change(i);
    }

    @Override
    public int size() {
      return size;
    }
  }

  /** The index of the last change with main <= rev, or -1. */
  int indexAt(long rev) {
    int lo = 0;
    int hi = size - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (main(mid) <= rev) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** The last change with main <= rev, or null. */
  Change latestAt(long rev) {
    int i = indexAt(rev);
    return i < 0 ? null : change(i);
  }

  /** The key-value visible at rev, or null if the key did not exist then. */
  KeyValue liveAt(long rev) {
    int i = indexAt(rev);
    return i < 0 || isTombstone(i) ? null : kv(i);
  }

  /** The newest key-value, or null if the key is deleted (or has no history). */
  KeyValue latest() {
    return latest;
  }

  /**
   * Drops history older than {@code compactRev}. Every change at or after compactRev is kept.
   * The last change before it is kept too, unless it is a tombstone or the key was deleted at
   * compactRev itself: it is the value a read at compactRev sees (when nothing was written at
   * compactRev) and the prev_kv of the first retained change in watch replay. So a delete at
   * compactRev replays without its prev_kv, as in etcd (which omits prev_kv once the revision
   * before is compacted): that is what lets "delete, then compact at the current revision"
   * free the deleted values, the way out of a full store (the NOSPACE alarm).
   *
   * @return true if nothing is left, so the key can leave the index
   */
  boolean compact(long compactRev) {
    int firstKept = 0;
    while (firstKept < size && main(firstKept) < compactRev) {
      firstKept++;
    }
    boolean deletedAtCompactRev = firstKept < size
        && main(firstKept) == compactRev && isTombstone(firstKept);
    if (firstKept > 0 && !isTombstone(firstKept - 1) && !deletedAtCompactRev) {
      firstKept--;
    }
    dropFirst(firstKept);
    return size == 0;
  }

  private void dropFirst(int n) {
    if (n == 0) {
      return;
    }
    int left = size - n;
    System.arraycopy(nums, n * LONGS, nums, 0, left * LONGS);
    System.arraycopy(ints, n * INTS, ints, 0, left * INTS);
    System.arraycopy(refs, n, refs, 0, left);
    Arrays.fill(refs, left, size, null); // let the dropped values go
    size = left;
    if (size == 0) {
      latest = null;
    }
    if (refs.length > 8 && size < refs.length / 4) {
      grow(Math.max(2, size + (size >> 1))); // give a long compacted history's slots back
    }
  }

  private void allocate(int capacity) {
    nums = new long[capacity * LONGS];
    ints = new int[capacity * INTS];
    refs = new Object[capacity];
  }

  private void grow(int capacity) {
    nums = Arrays.copyOf(nums, capacity * LONGS);
    ints = Arrays.copyOf(ints, capacity * INTS);
    refs = Arrays.copyOf(refs, capacity);
  }
}
