package raft.kv.backup;

import java.io.IOException;

/**
 * Where {@link EtcdLayout} sends the buckets of etcd's database: a bbolt file ({@link
 * EtcdBackup}), or a hash of them ({@link EtcdHash}). Buckets come in ascending name order and
 * keys within a bucket in ascending unsigned-byte order, as bbolt stores them.
 */
public interface BucketSink {
  /** Starts a top-level bucket; the previous one ends. */
  void bucket(String name) throws IOException;

  void put(byte[] key, byte[] value) throws IOException;
}
