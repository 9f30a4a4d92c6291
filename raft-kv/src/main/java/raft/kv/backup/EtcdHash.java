package raft.kv.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;
import raft.kv.bbolt.BoltReader;
import raft.kv.pb.KvState;

/**
 * etcd's two hashes of a whole database, both CRC-32 (Castagnoli) over every bucket's name and
 * then its keys and values in order:
 * <ul>
 * <li>{@code Maintenance.Hash} (mvcc/backend/backend.go Hash with mvcc's DefaultIgnores): skips
 *     {@code meta/consistent_index}, which differs between members that hold the same data;
 * <li>{@code etcdctl snapshot status} (clientv3/snapshot Status): skips nothing, and also
 *     counts the entries and notes the newest revision in the key bucket.
 * </ul>
 */
public final class EtcdHash implements BucketSink {
  private final CRC32C crc = new CRC32C();
  private final boolean ignoreConsistentIndex;
  private String bucket = "";
  private long entries;
  private long revision;

  private EtcdHash(boolean ignoreConsistentIndex) {
    this.ignoreConsistentIndex = ignoreConsistentIndex;
  }

  /** Maintenance.Hash of our state laid out as etcd's database. */
  public static int ofState(KvState s) throws IOException {
    return ofState(StateScan.of(s));
  }

  /** As above, from a scan of a serialized state (see {@link StateScan}). */
  public static int ofState(StateScan s) throws IOException {
    EtcdHash h = new EtcdHash(true);
    EtcdLayout.write(s, h);
    return (int) h.crc.getValue();
  }

  /**
   * Maintenance.Hash of a database (etcd's, or a backup of ours): what the member it came from
   * answered, if nothing was written meanwhile.
   */
  public static int maintenanceHash(BoltReader r) throws IOException {
    EtcdHash h = new EtcdHash(true).feed(r);
    return (int) h.crc.getValue();
  }

  /** What {@code etcdctl snapshot status} says of a database. */
  public record Status(int hash, long revision, long totalKeys) {}

  /** {@code etcdctl snapshot status}'s hash, revision and key count of a bbolt database. */
  public static Status status(BoltReader r) throws IOException {
    EtcdHash h = new EtcdHash(false).feed(r);
    return new Status((int) h.crc.getValue(), h.revision, h.entries);
  }

  /** Every bucket of {@code r}, in order, as etcd's hashes walk them. */
  private EtcdHash feed(BoltReader r) throws IOException {
    for (String name : r.buckets()) {
      bucket(name);
      r.forEach(name, this::put);
    }
    return this;
  }

  @Override
  public void bucket(String name) {
    bucket = name;
    crc.update(name.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void put(byte[] key, byte[] value) {
    entries++;
    if (bucket.equals("key")) {
      revision = Revisions.main(key);
    }
    if (ignoreConsistentIndex && bucket.equals("meta")
        && Arrays.equals(key, EtcdLayout.CONSISTENT_INDEX)) {
      return;
    }
    crc.update(key);
    crc.update(value);
  }
}
