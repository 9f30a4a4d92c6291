package raft.kv.bbolt;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one bucket's B+tree bottom-up from keys given in order, writing each node as soon as it
 * is full: one pending node per level (leaves at level 0), so memory stays at about a page per
 * level whatever the bucket's size. A full node's first key and pgid go up into its parent
 * level, which is how bbolt's branch keys read too (each child's first key).
 */
final class TreeWriter {

  /** Where nodes go: pages are written one after another from the next free pgid. */
  interface PageSink {
    /** The pgid the next {@link #write} will start at. */
    long nextPgid();

    /** Writes whole pages at {@link #nextPgid} and advances it past them. */
    void write(byte[] pages) throws IOException;
  }

  private final PageSink sink;
  private final int pageSize;
  private final List<Node> levels = new ArrayList<>();
  private final List<Integer> written = new ArrayList<>(); // nodes written per level

  TreeWriter(PageSink sink, int pageSize) {
    this.sink = sink;
    this.pageSize = pageSize;
    levels.add(new Node(true));
    written.add(0);
  }

  /** Appends a leaf entry; keys must come in strictly ascending order (the caller checks). */
  void add(int flag, byte[] key, byte[] value) throws IOException {
    Node leaf = levels.get(0);
    // Fill a page, but never split below one entry: a bigger entry gets overflow pages.
    if (leaf.count() > 0 && (leaf.size() + Node.leafEntrySize(key, value) > pageSize
        || leaf.count() == 0xFFFF)) {
      flush(0);
      leaf = levels.get(0);
    }
    leaf.addLeaf(flag, key, value);
  }

  /**
   * True if the whole tree is one leaf small enough for bbolt to store inline in its parent's
   * value ({@code Bucket.inlineable}: at most a quarter page, no nested buckets).
   */
  boolean inlineable() {
    Node leaf = levels.get(0);
    return levels.size() == 1 && written.get(0) == 0 && leaf.size() <= pageSize / 4
        && !leaf.hasBucketEntries();
  }

  /** The single leaf as an inline page (valid only when {@link #inlineable}). */
  byte[] inlinePage() {
    return levels.get(0).encode(0, pageSize, false);
  }

  /** Writes every pending node, bottom up, and returns the root's pgid. */
  long finish() throws IOException {
    for (int level = 0; ; level++) {
      boolean top = level == levels.size() - 1;
      if (top && written.get(level) == 0) {
        // The only node of the top level is the root. A level that wrote a node before still
        // holds the entry that did not fit, so its parent ends with at least two children.
        return write(levels.get(level));
      }
      flush(level);
    }
  }

  private void flush(int level) throws IOException {
    Node node = levels.get(level);
    long pgid = write(node);
    levels.set(level, new Node(node.isLeaf()));
    written.set(level, written.get(level) + 1);
    if (level + 1 == levels.size()) {
      levels.add(new Node(false));
      written.add(0);
    }
    Node parent = levels.get(level + 1);
    byte[] key = node.firstKey();
    // A branch keeps at least two children per node, so that huge keys cannot make a chain.
    if (parent.count() > 1 && (parent.size() + Node.branchEntrySize(key) > pageSize
        || parent.count() == 0xFFFF)) {
      flush(level + 1);
      parent = levels.get(level + 1);
    }
    parent.addBranch(key, pgid);
  }

  private long write(Node node) throws IOException {
    long pgid = sink.nextPgid();
    sink.write(node.encode(pgid, pageSize, true));
    return pgid;
  }
}
