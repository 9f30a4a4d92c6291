package raft.kv.backup;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import raft.kv.pb.ChangeState;
import raft.kv.pb.KvState;

/**
 * A serialized {@link KvState} (a snapshot's data, typically a view of a mapped file) read for
 * {@link EtcdLayout} without holding its history as objects: one pass notes where each change
 * etcd keeps lies (its revision, offset and length, 24 bytes apiece) and parses the rest of the
 * state (leases, alarms, members: small); the key bucket then parses each change from its
 * offset, in revision order, and drops it. So a backup or hash of a store costs the heap some
 * 30 bytes per revision, not a second copy of the store.
 */
public final class StateScan {
  private static final int KEYS = KvState.KEYS_FIELD_NUMBER;

  private final ByteString data;
  /** Everything but the keys. */
  final KvState rest;
  private long[] mains = new long[16];
  private int[] subs = new int[16];
  private int[] offsets = new int[16];
  private int[] lengths = new int[16];
  private int count;

  /** A change etcd keeps, in revision order. */
  interface ChangeVisitor {
    void change(ChangeState c) throws IOException;
  }

  private StateScan(ByteString data) throws IOException {
    this.data = data;
    ByteString.Output others = ByteString.newOutput();
    CodedOutputStream out = CodedOutputStream.newInstance(others);
    CodedInputStream in = data.newCodedInput();
    List<ChangeState> changes = new ArrayList<>();
    List<int[]> where = new ArrayList<>();
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) == KEYS) {
        int limit = in.pushLimit(in.readRawVarint32());
        scanHistory(in, changes, where);
        in.popLimit(limit);
      } else if (WireFormat.getTagFieldNumber(tag) == KvState.COMPACT_REVISION_FIELD_NUMBER) {
        if (count > 0) {
          throw new IOException("the state's compact revision comes after its keys");
        }
        compactRevision = in.readInt64();
        out.writeInt64(KvState.COMPACT_REVISION_FIELD_NUMBER, compactRevision);
      } else {
        in.skipField(tag, out);
      }
    }
    out.flush();
    rest = KvState.parseFrom(others.toByteString());
    sortByRevision();
  }

  public static StateScan of(ByteString kvState) throws IOException {
    return new StateScan(kvState);
  }

  public static StateScan of(KvState s) throws IOException {
    return new StateScan(s.toByteString());
  }

  /** The store's revision in the state. */
  public long revision() {
    return rest.getRevision();
  }

  /** One KeyHistoryState: its changes (field 2), of which it keeps those etcd keeps. */
  private void scanHistory(CodedInputStream in, List<ChangeState> changes, List<int[]> where)
      throws IOException {
    changes.clear();
    where.clear();
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) == 2) {
        int length = in.readRawVarint32();
        int offset = in.getTotalBytesRead();
        in.skipRawBytes(length);
        changes.add(ChangeState.parseFrom(data.substring(offset, offset + length)));
        where.add(new int[] {offset, length});
      } else {
        in.skipField(tag);
      }
    }
    for (int i = EtcdLayout.keptFrom(changes, compactRevision); i < changes.size(); i++) {
      add(changes.get(i), where.get(i));
    }
  }

  /**
   * The compact revision, needed while scanning the keys: KvState has it (field 3) before
   * them (field 4), as every writer of ours puts it and protobuf's field order has it.
   */
  private long compactRevision;

  private void add(ChangeState c, int[] at) {
    if (count == mains.length) {
      mains = Arrays.copyOf(mains, count * 2);
      subs = Arrays.copyOf(subs, count * 2);
      offsets = Arrays.copyOf(offsets, count * 2);
      lengths = Arrays.copyOf(lengths, count * 2);
    }
    mains[count] = c.getMain();
    subs[count] = c.getSub();
    offsets[count] = at[0];
    lengths[count] = at[1];
    count++;
  }

  private int[] order;

  private void sortByRevision() {
    order = IntStream.range(0, count).boxed().sorted(Comparator.<Integer>comparingLong(
        i -> mains[i]).thenComparingInt(i -> subs[i])).mapToInt(Integer::intValue).toArray();
  }

  /** Every change etcd keeps, in revision order. */
  void forEachChange(ChangeVisitor v) throws IOException {
    for (int i : order) {
      v.change(ChangeState.parseFrom(data.substring(offsets[i], offsets[i] + lengths[i])));
    }
  }
}
