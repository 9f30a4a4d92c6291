package raft.storage.wal;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/** The byte layout of segment headers and records; see {@link Wal} for the essay. */
final class Records {

  static final byte ENTRY = 1;
  static final byte HARD_STATE = 2;
  static final byte SNAPSHOT = 3;
  /** Last record of every segment but the newest: proves the segment was not cut short. */
  static final byte SEAL = 4;
  /** A snapshot marker that does not match the log, which it therefore replaces (§7). */
  static final byte SNAPSHOT_RESET = 5;
  /** Whose WAL this is (member and cluster id); the first record of every segment once known. */
  static final byte METADATA = 6;

  static final byte[] MAGIC = "RAFTWAL\n".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  /** magic (8), version (4), sequence (8), first index (8), term of the entry before (8). */
  static final int HEADER_BYTES = 36;
  static final int PREV_TERM_AT = 28;
  /** length (4), CRC32C (4); the type byte is counted in the length. */
  static final int FRAME_BYTES = 8;

  private Records() {}

  static byte[] header(long seq, long firstIndex, long prevTerm) {
    return ByteBuffer.allocate(HEADER_BYTES).put(MAGIC).putInt(VERSION).putLong(seq)
        .putLong(firstIndex).putLong(prevTerm).array();
  }

  /** The prevTerm field of a header, or 0 if the file is too short to hold one. */
  static long prevTerm(byte[] data) {
    return data.length >= HEADER_BYTES ? ByteBuffer.wrap(data).getLong(PREV_TERM_AT) : 0;
  }

  /** Appends one framed record to {@code out}. */
  static void frame(ByteBuffer out, byte type, byte[] payload) {
    out.putInt(1 + payload.length).putInt(crc(type, payload, 0, payload.length)).put(type)
        .put(payload);
  }

  /**
   * The records of one write: each of {@code messages} as a record of {@code type}, then
   * {@code last} (if not null) as one of {@code lastType}; the same bytes as {@link #frame} of
   * each message's toByteArray(), but serialised straight into the batch's array. Copying each
   * entry into its own array first cost about 300 bytes per 256-byte put on every member.
   */
  static byte[] frameAll(List<? extends MessageLite> messages, byte type, MessageLite last,
      byte lastType) {
    int size = 0;
    for (int i = 0; i < messages.size(); i++) {
      size += FRAME_BYTES + 1 + messages.get(i).getSerializedSize();
    }
    if (last != null) {
      size += FRAME_BYTES + 1 + last.getSerializedSize();
    }
    byte[] out = new byte[size];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    CRC32C crc = new CRC32C();
    try {
      for (int i = 0; i < messages.size(); i++) {
        frameInto(out, cos, type, messages.get(i), crc);
      }
      if (last != null) {
        frameInto(out, cos, lastType, last, crc);
      }
      cos.checkNoSpaceLeft();
    } catch (IOException e) { // the array was sized from the messages: a bug, not I/O
      throw new UncheckedIOException(e);
    }
    return out;
  }

  // The frame's header is filled in after the payload, for its CRC: the encoder writes straight
  // into out, so the bytes it skipped are still there to fill.
  private static void frameInto(byte[] out, CodedOutputStream cos, byte type, MessageLite m,
      CRC32C crc) throws IOException {
    int at = cos.getTotalBytesWritten();
    cos.writeRawBytes(NO_HEADER);
    m.writeTo(cos);
    int len = cos.getTotalBytesWritten() - at - FRAME_BYTES; // type and payload
    out[at + FRAME_BYTES] = type;
    crc.reset();
    crc.update(out, at + FRAME_BYTES, len);
    ByteBuffer.wrap(out, at, FRAME_BYTES).putInt(len).putInt((int) crc.getValue());
  }

  private static final byte[] NO_HEADER = new byte[FRAME_BYTES + 1];

  static int framedSize(byte[] payload) {
    return FRAME_BYTES + 1 + payload.length;
  }

  static int crc(byte type, byte[] buf, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(type);
    c.update(buf, off, len);
    return (int) c.getValue();
  }

  static String typeName(byte type) {
    return switch (type) {
      case ENTRY -> "entry";
      case HARD_STATE -> "hardstate";
      case SNAPSHOT -> "snapshot";
      case SEAL -> "seal";
      case SNAPSHOT_RESET -> "snapshot-reset";
      case METADATA -> "metadata";
      default -> "unknown(" + type + ")";
    };
  }

  /** True if {@code data[from, to)} is all zeros: never-written preallocated space. */
  static boolean zeros(byte[] data, int from, int to) {
    for (int i = Math.max(from, 0); i < Math.min(to, data.length); i++) {
      if (data[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Index one past the last non-zero byte at or after {@code from}, or {@code from}. */
  static int endOfNonZero(byte[] data, int from) {
    for (int i = data.length - 1; i >= from; i--) {
      if (data[i] != 0) {
        return i + 1;
      }
    }
    return from;
  }

  /** A header cut short by a crash: a prefix of the expected header, then zeros. */
  static boolean tornHeader(byte[] data, byte[] expected) {
    int n = 0;
    while (n < Math.min(data.length, expected.length) && data[n] == expected[n]) {
      n++;
    }
    return n < expected.length && zeros(data, n, data.length);
  }

  static boolean headerMatches(byte[] data, byte[] expected) {
    return data.length >= expected.length
        && Arrays.equals(data, 0, expected.length, expected, 0, expected.length);
  }
}
