package raft.kv.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import raft.kv.api.mvccpb.KeyValue;

/**
 * KeyHistory's compact layout against the plain list of changes it replaced: random puts and
 * deletes (values backed by a whole array, by part of a larger one as an aliased Raft entry
 * gives, by a rope, by a direct buffer, or empty; and key-values that do not fit the compact
 * form: another key, a mod_revision that is not the main revision, unknown fields, a tombstone
 * with a value) and compactions. After every step each change must read back equal to what was
 * appended, the reads at every revision must agree with the list, and so must the sizes the
 * space quota counts. Revisions advance by 1-3 per write (other keys' writes in between), so
 * that compactions also land between a key's changes.
 */
class KeyHistoryProperties {
  private static final ByteString KEY = ByteString.copyFromUtf8("key");

  /**
   * One step: kind 0-5 a put of value kind 0-5, 6 a delete, 7 a compaction; a write is gap
   * revisions after the one before.
   */
  record Step(int kind, int variant, int sub, long lease, int compactBack, int gap) {}

  @Property(tries = 300)
  void compactHistoryReadsBackWhatWasAppended(@ForAll("steps") List<Step> steps) {
    KeyHistory h = new KeyHistory(KEY);
    List<Change> ref = new ArrayList<>();
    long main = 1;
    for (Step s : steps) {
      if (s.kind() == 7) {
        long at = Math.max(1, main - s.compactBack());
        assertEquals(compactReference(ref, at), h.compact(at), "compact at " + at);
      } else {
        main += s.gap();
        Change c = change(s, main, ref);
        ref.add(c);
        h.append(c);
      }
      check(h, ref, main, s);
    }
  }

  private static void check(KeyHistory h, List<Change> ref, long main, Step s) {
    assertEquals(ref.size(), h.size(), "size after " + s);
    assertEquals(ref, h.changes(), "changes after " + s);
    for (long rev = 0; rev <= main + 1; rev++) {
      assertEquals(referenceLiveAt(ref, rev), h.liveAt(rev), "live at " + rev + " after " + s);
    }
    KeyValue latest = ref.isEmpty() || ref.get(ref.size() - 1).isTombstone() ? null
        : ref.get(ref.size() - 1).kv();
    assertEquals(latest, h.latest(), "latest after " + s);
    long bytes = 0;
    for (int i = 0; i < ref.size(); i++) {
      Change c = ref.get(i);
      assertEquals(c.isTombstone(), h.isTombstone(i), "tombstone " + i + " after " + s);
      assertEquals(c.kv().getValue().size(), h.valueSize(i), "value size " + i + " after " + s);
      bytes += Sizes.change(c);
    }
    assertEquals(bytes, Sizes.history(h), "history bytes after " + s);
  }

  private static Change change(Step s, long main, List<Change> ref) {
    if (s.kind() == 6) {
      KeyValue.Builder t = KeyValue.newBuilder().setKey(KEY).setModRevision(main);
      if (s.variant() == 1) {
        t.setValue(ByteString.copyFromUtf8("left")); // not a plain tombstone: kept whole
      }
      return new Change(main, s.sub(), t.build());
    }
    KeyValue prev = ref.isEmpty() ? null : ref.get(ref.size() - 1).kv();
    boolean fresh = prev == null || prev.getVersion() == 0;
    KeyValue.Builder kv = KeyValue.newBuilder().setKey(keyFor(s.variant()))
        .setCreateRevision(fresh ? main : prev.getCreateRevision())
        .setModRevision(s.variant() == 4 ? main + 7 : main)
        .setVersion(fresh ? 1 : prev.getVersion() + 1)
        .setLease(s.lease()).setValue(value(s.kind(), main));
    if (s.variant() == 5) {
      kv.setUnknownFields(UnknownFieldSet.newBuilder()
          .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(main).build()).build());
    }
    return new Change(main, s.sub(), kv.build());
  }

  private static ByteString keyFor(int variant) {
    return switch (variant) {
      case 2 -> ByteString.copyFromUtf8("xkeyx").substring(1, 4); // same bytes, a view
      case 3 -> ByteString.copyFromUtf8("other");
      default -> KEY;
    };
  }

  private static ByteString value(int kind, long main) {
    byte[] bytes = new byte[300];
    java.util.Arrays.fill(bytes, (byte) main);
    return switch (kind) {
      case 0 -> ByteString.copyFrom(bytes, 0, 10);
      case 1 -> UnsafeByteOperations.unsafeWrap(bytes, 17, 200); // an aliased entry's view
      case 2 -> ByteString.copyFrom(bytes, 0, 150).concat(ByteString.copyFrom(bytes, 0, 150));
      case 3 -> UnsafeByteOperations.unsafeWrap(ByteBuffer.allocateDirect(20).put(bytes, 0, 20)
          .flip());
      case 4 -> ByteString.EMPTY;
      default -> UnsafeByteOperations.unsafeWrap(bytes, 0, 1);
    };
  }

  /** The layout before: KeyHistory.compact on a list of changes. */
  private static boolean compactReference(List<Change> changes, long compactRev) {
    int firstKept = 0;
    while (firstKept < changes.size() && changes.get(firstKept).main() < compactRev) {
      firstKept++;
    }
    boolean deletedAtCompactRev = firstKept < changes.size()
        && changes.get(firstKept).main() == compactRev && changes.get(firstKept).isTombstone();
    if (firstKept > 0 && !changes.get(firstKept - 1).isTombstone() && !deletedAtCompactRev) {
      firstKept--;
    }
    changes.subList(0, firstKept).clear();
    return changes.isEmpty();
  }

  private static KeyValue referenceLiveAt(List<Change> changes, long rev) {
    Change found = null;
    for (Change c : changes) {
      if (c.main() <= rev) {
        found = c;
      }
    }
    return found == null || found.isTombstone() ? null : found.kv();
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> step = Combinators.combine(
        Arbitraries.integers().between(0, 7), Arbitraries.integers().between(0, 7),
        Arbitraries.integers().between(0, 3), Arbitraries.of(0L, 0L, 42L),
        Arbitraries.integers().between(0, 6), Arbitraries.integers().between(1, 3))
        .as(Step::new);
    return step.list().ofMaxSize(40);
  }

  @Example
  void aSmallValueOfALargeArrayIsKeptInAnArrayOfItsOwn() {
    byte[] entry = new byte[1_400_000]; // a txn's entry: a 1.4 MB value and a 1-byte one
    entry[1_399_990] = 7;
    KeyHistory h = new KeyHistory(KEY);
    h.append(put(2, UnsafeByteOperations.unsafeWrap(entry, 1_399_990, 1)));
    ValueSlot latest = ValueSlot.of(h.latest().getValue());
    assertEquals(1, latest.array().length, "the newest key-value's value");
    h.append(put(3, UnsafeByteOperations.unsafeWrap(entry, 10, 1_399_000)));
    assertEquals(1, ValueSlot.of(h.kv(0).getValue()).array().length, "the history's slot");
    assertEquals(ByteString.copyFrom(new byte[] {7}), h.kv(0).getValue());
    assertSame(entry, ValueSlot.of(h.latest().getValue()).array(), "a large value: aliased");
    byte[] putEntry = new byte[300]; // an ordinary put's entry: its key, header and value
    h.append(put(4, UnsafeByteOperations.unsafeWrap(putEntry, 40, 256)));
    assertSame(putEntry, ValueSlot.of(h.kv(2).getValue()).array(), "an ordinary put: aliased");
  }

  private static Change put(long main, ByteString value) {
    return new Change(main, 0, KeyValue.newBuilder().setKey(KEY).setCreateRevision(2)
        .setModRevision(main).setVersion(main - 1).setValue(value).build());
  }
}
