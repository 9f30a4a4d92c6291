package raft.kv.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import raft.kv.bbolt.BoltReader;
import raft.kv.bbolt.BoltWriter;
import raft.kv.pb.KvState;

/**
 * Backups in etcd's format, as {@code etcdctl snapshot save} writes them: etcd's bbolt
 * database ({@link EtcdLayout}), then, from a snapshot stream, the SHA-256 of the database.
 * etcd tells the two apart by size alone (clientv3/snapshot: a size of 32 more than a multiple
 * of 512 has the trailer; a bbolt file is whole pages), and so do we.
 */
public final class EtcdBackup {
  public static final int SHA_BYTES = 32;

  private EtcdBackup() {}

  /** True if {@code file} starts as a bbolt database does (whatever follows). */
  public static boolean isBolt(Path file) throws IOException {
    return BoltReader.hasMagic(file);
  }

  /** Writes {@code s} as etcd's database (no trailer: the stream adds it). */
  public static void write(KvState s, Path file) throws IOException {
    write(StateScan.of(s), file);
  }

  /** As above, from a scan of a serialized state (see {@link StateScan}). */
  public static void write(StateScan s, Path file) throws IOException {
    try (BoltWriter w = BoltWriter.create(file)) {
      EtcdLayout.write(s, new BucketSink() {
        @Override
        public void bucket(String name) throws IOException {
          w.bucket(name);
        }

        @Override
        public void put(byte[] key, byte[] value) throws IOException {
          w.put(key, value);
        }
      });
    }
  }

  /** etcd's rule (clientv3/snapshot): a file with a trailer is a multiple of this plus 32. */
  public static final int BLOCK = 512;

  /** True if the file ends in a SHA-256 trailer, by etcd's rule. */
  public static boolean hasHash(Path file) throws IOException {
    return Files.size(file) % BLOCK == SHA_BYTES;
  }

  /**
   * Checks the trailer as etcdctl's restore does: a file with one must match it, and a file
   * without one (a member's db file copied by hand) is taken only with {@code skipHashCheck}.
   */
  public static void checkHash(Path file, boolean skipHashCheck) throws IOException {
    if (skipHashCheck) {
      return;
    }
    if (!hasHash(file)) {
      throw new IOException("snapshot missing hash but --skip-hash-check=false");
    }
    String mismatch = trailerMismatch(file);
    if (mismatch != null) {
      throw new IOException(file + ": " + mismatch + " (the backup was damaged)");
    }
  }

  /**
   * The one check of a SHA-256 trailer, for both backup formats ({@link
   * raft.kv.server.BackupFile} too): null if the file's last 32 bytes are the SHA-256 of the
   * rest, else "expected sha256 ..., got ...".
   */
  public static String trailerMismatch(Path file) throws IOException {
    MessageDigest sha = sha256();
    byte[] trailer;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[64 * 1024];
      for (long left = Files.size(file) - SHA_BYTES; left > 0; ) {
        int n = in.readNBytes(buf, 0, (int) Math.min(buf.length, left));
        if (n == 0) { // the file shrank while we read it
          throw new IOException(file + ": truncated while its SHA-256 was checked");
        }
        sha.update(buf, 0, n);
        left -= n;
      }
      trailer = in.readNBytes(SHA_BYTES);
    }
    byte[] actual = sha.digest();
    return Arrays.equals(actual, trailer) ? null : "expected sha256 "
        + HexFormat.of().formatHex(trailer) + ", got " + HexFormat.of().formatHex(actual);
  }

  /** The state an etcd backup holds, its trailer checked (see {@link #checkHash}). */
  public static KvState read(Path file, boolean skipHashCheck) throws IOException {
    checkHash(file, skipHashCheck);
    try (BoltReader r = BoltReader.open(file, bolt(file))) {
      return EtcdImport.read(r, file.toString());
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /** {@code etcdctl snapshot status}: hash, revision, total keys, and the database's size. */
  public record Status(EtcdHash.Status hash, long totalSize) {}

  public static Status status(Path file) throws IOException {
    try (BoltReader r = BoltReader.open(file, bolt(file))) {
      // etcd prints the database's size (tx.Size()): the file, less any trailer.
      return new Status(EtcdHash.status(r), bolt(file));
    }
  }

  /** The database's length: the file less any trailer. */
  private static long bolt(Path file) throws IOException {
    return Files.size(file) - (hasHash(file) ? SHA_BYTES : 0);
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
