package raft.storage.wal;

import java.io.IOException;
import java.util.List;

/**
 * The only door from the WAL to the disk: one flat directory of named files. It is this small so
 * that a test implementation can remember, per file, what was written and what was made durable,
 * and "crash" between any two calls (see the test's {@code FaultyFiles}).
 *
 * <p>Durability contract, as the WAL relies on it: {@link #write} and {@link #setLength} reach
 * the disk only after {@link #force} of the same file returns; {@link #create} and
 * {@link #delete} are durable after {@link #syncDir}. A failed {@link #force} may have lost the
 * unforced writes for good (Linux drops the dirty pages: "fsyncgate"), so the caller must not
 * retry it and carry on.
 *
 * <p>Threading: one caller at a time.
 */
public interface WalFiles {

  /** Names of the regular files in the directory, in no particular order. */
  List<String> list() throws IOException;

  /** Creates an empty file; fails if it exists. */
  void create(String name) throws IOException;

  /** Writes {@code data} at {@code position}, growing the file if needed. */
  void write(String name, long position, byte[] data) throws IOException;

  /** Grows (with zeros) or shrinks the file to exactly {@code length} bytes. */
  void setLength(String name, long length) throws IOException;

  /** Makes every earlier write and length change of this file durable (fsync). */
  void force(String name) throws IOException;

  /** Makes creations and deletions in the directory durable (fsync of the directory). */
  void syncDir() throws IOException;

  long size(String name) throws IOException;

  byte[] readAll(String name) throws IOException;

  void delete(String name) throws IOException;

  /** A human-readable location of the file, for error messages. */
  String describe(String name);
}
