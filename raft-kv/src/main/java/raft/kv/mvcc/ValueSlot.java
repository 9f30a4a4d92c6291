package raft.kv.mvcc;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;

/**
 * Where a value's bytes are: its backing array, offset and length, so that the store can keep
 * three array slots instead of a ByteString object per revision (see KeyHistory). The array is
 * the one the ByteString already points into (usually its Raft entry, parsed with aliasing):
 * nothing is copied. Protobuf hands it out through {@link UnsafeByteOperations#unsafeWriteTo},
 * which passes an array-backed ByteString's own array to {@link ByteOutput#writeLazy}; a value
 * backed otherwise (a rope, a buffer) gives no slot, and the caller keeps the object.
 */
record ValueSlot(byte[] array, int offset, int length) {
  /** No value: a tombstone's. */
  static final ValueSlot NONE = new ValueSlot(new byte[0], 0, 0);

  /**
   * This slot, or a copy of its bytes in an array of their own when the array is much larger
   * than the value: kept in the history, a 1-byte value of a txn that also wrote 1.4 MB would
   * keep the whole 1.4 MB entry alive until compacted. An ordinary put's entry holds little
   * beside its value (the key and a few header bytes), so it is never copied.
   */
  ValueSlot own() {
    if (array.length - length <= Math.max(length, 4096)) {
      return this;
    }
    return new ValueSlot(java.util.Arrays.copyOfRange(array, offset, offset + length), 0, length);
  }

  /** The value's slot, or null if it is not one array's range. */
  static ValueSlot of(ByteString value) {
    Capture c = new Capture();
    try {
      UnsafeByteOperations.unsafeWriteTo(value, c);
    } catch (java.io.IOException impossible) { // Capture does not throw
      return null;
    }
    return c.calls == 1 ? c.slot : null;
  }

  /** Takes exactly one lazy array write; anything else makes the value unfit. */
  private static final class Capture extends ByteOutput {
    ValueSlot slot;
    int calls;

    @Override
    public void writeLazy(byte[] value, int offset, int length) {
      slot = new ValueSlot(value, offset, length);
      calls++;
    }

    @Override
    public void write(byte value) {
      calls += 2;
    }

    @Override
    public void write(byte[] value, int offset, int length) {
      calls += 2;
    }

    @Override
    public void write(ByteBuffer value) {
      calls += 2;
    }

    @Override
    public void writeLazy(ByteBuffer value) {
      calls += 2;
    }
  }
}
