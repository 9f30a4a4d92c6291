package raft.kv.bbolt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One page-to-be of a tree being written: a leaf (keys with values and flags) or a branch (keys
 * with child pgids), encoded as bbolt's {@code node.write} does: the header, the element array,
 * then each key followed by its value, every {@code pos} relative to its own element.
 */
final class Node {

  private final boolean leaf;
  private final List<byte[]> keys = new ArrayList<>();
  private final List<byte[]> values = new ArrayList<>(); // leaf only
  private final List<Integer> flags = new ArrayList<>(); // leaf only
  private final List<Long> children = new ArrayList<>(); // branch only
  private long size = Layout.PAGE_HEADER;

  Node(boolean leaf) {
    this.leaf = leaf;
  }

  boolean isLeaf() {
    return leaf;
  }

  int count() {
    return keys.size();
  }

  /** The encoded size: header, elements, keys and values. */
  long size() {
    return size;
  }

  byte[] firstKey() {
    return keys.get(0);
  }

  boolean hasBucketEntries() {
    return flags.contains(Layout.BUCKET_LEAF_FLAG);
  }

  static long leafEntrySize(byte[] key, byte[] value) {
    return Layout.LEAF_ELEMENT + (long) key.length + value.length;
  }

  static long branchEntrySize(byte[] key) {
    return Layout.BRANCH_ELEMENT + (long) key.length;
  }

  void addLeaf(int flag, byte[] key, byte[] value) {
    keys.add(key);
    values.add(value);
    flags.add(flag);
    size += leafEntrySize(key, value);
  }

  void addBranch(byte[] key, long child) {
    keys.add(key);
    children.add(child);
    size += branchEntrySize(key);
  }

  /** Pages this node spans at {@code pageSize}: 1 + its overflow. */
  int pages(int pageSize) {
    return (int) ((size + pageSize - 1) / pageSize);
  }

  /**
   * The node as page {@code pgid}, padded to whole pages (or exactly {@link #size} bytes when
   * {@code pad} is false, for an inline bucket, whose page id is 0).
   */
  byte[] encode(long pgid, int pageSize, boolean pad) {
    int pages = pages(pageSize);
    byte[] out = new byte[pad ? Math.multiplyExact(pages, pageSize) : Math.toIntExact(size)];
    ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(pgid).putShort((short) (leaf ? Layout.LEAF : Layout.BRANCH))
        .putShort((short) keys.size()).putInt(pad ? pages - 1 : 0);
    int data = Layout.PAGE_HEADER + Layout.LEAF_ELEMENT * keys.size();
    for (int i = 0; i < keys.size(); i++) {
      int elem = Layout.PAGE_HEADER + Layout.LEAF_ELEMENT * i;
      byte[] k = keys.get(i);
      if (leaf) {
        byte[] v = values.get(i);
        b.putInt(elem, flags.get(i)).putInt(elem + 4, data - elem)
            .putInt(elem + 8, k.length).putInt(elem + 12, v.length);
        b.put(data, k).put(data + k.length, v);
        data += k.length + v.length;
      } else {
        b.putInt(elem, data - elem).putInt(elem + 4, k.length).putLong(elem + 8, children.get(i));
        b.put(data, k);
        data += k.length;
      }
    }
    return out;
  }
}
