package raft.tracker;

/**
 * The appends sent to one follower and not yet acknowledged, as a ring buffer of their last
 * indexes and sizes. Bounds pipelining: no more than {@code capacity} messages and
 * {@code maxBytes} bytes in flight (0 = no byte limit).
 */
public final class Inflights {
  private final int capacity;
  private final long maxBytes;
  private final long[] index;
  private final long[] bytes;
  private int start;
  private int count;
  private long totalBytes;

  public Inflights(int capacity, long maxBytes) {
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.index = new long[capacity];
    this.bytes = new long[capacity];
  }

  /** Records an append whose last entry is at {@code lastIndex}; indexes must increase. */
  public void add(long lastIndex, long size) {
    if (full()) {
      throw new IllegalStateException("cannot add into a full inflights window");
    }
    int next = (start + count) % capacity;
    index[next] = lastIndex;
    bytes[next] = size;
    count++;
    totalBytes += size;
  }

  /** Frees every append whose last index is at or below {@code to} (it was acknowledged). */
  public void freeLE(long to) {
    while (count > 0 && index[start] <= to) {
      totalBytes -= bytes[start];
      start = (start + 1) % capacity;
      count--;
    }
    if (count == 0) {
      start = 0;
    }
  }

  /** Frees the oldest append, acknowledged or not. */
  public void freeFirstOne() {
    if (count > 0) {
      freeLE(index[start]);
    }
  }

  public boolean full() {
    return count == capacity || (maxBytes != 0 && totalBytes >= maxBytes);
  }

  public int count() {
    return count;
  }

  public void reset() {
    start = 0;
    count = 0;
    totalBytes = 0;
  }
}
