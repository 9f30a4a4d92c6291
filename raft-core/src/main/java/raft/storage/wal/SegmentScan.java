package raft.storage.wal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the records of one segment's bytes, stopping at the end of data (a zero length) or at
 * the first record that does not check out. It only reads; deciding whether a bad record is a
 * torn tail or corruption is {@link Wal}'s job, because that depends on where the segment is.
 */
final class SegmentScan {

  /** One record: where it starts, its type and its payload (protobuf bytes). */
  record Rec(int offset, byte type, byte[] payload) {}

  final List<Rec> records = new ArrayList<>();
  /** Offset just past the last good record: where the next record goes. */
  int end;
  /** Null if the data ended cleanly, else what is wrong with the record at {@link #end}. */
  String problem;
  /** Where the bad record claims to end (clipped to the file), for the torn-tail test. */
  int problemEnd;
  /** The bad record claims to be longer than the whole file. */
  boolean longerThanFile;

  static SegmentScan scan(byte[] data) {
    SegmentScan s = new SegmentScan();
    s.run(data);
    return s;
  }

  private void run(byte[] data) {
    int off = Records.HEADER_BYTES;
    while (true) {
      end = off;
      if (data.length - off < 4) {
        if (!Records.zeros(data, off, data.length)) {
          fail(data.length, "a partial record frame at the end of the file");
        }
        return;
      }
      ByteBuffer b = ByteBuffer.wrap(data);
      long len = Integer.toUnsignedLong(b.getInt(off));
      if (len == 0) {
        return; // preallocated zeros: end of data
      }
      long recEnd = off + Records.FRAME_BYTES + len;
      if (recEnd > data.length) {
        longerThanFile = len > data.length;
        fail(data.length, "record length " + len + " runs past the end of the file ("
            + data.length + " bytes)");
        return;
      }
      int crc = b.getInt(off + 4);
      byte type = data[off + 8];
      int payloadLen = (int) len - 1;
      if (Records.crc(type, data, off + 9, payloadLen) != crc) {
        fail((int) recEnd, "CRC32C mismatch in a record of " + len + " bytes");
        return;
      }
      if (type < Records.ENTRY || type > Records.METADATA) {
        fail((int) recEnd, "unknown record type " + type);
        return;
      }
      byte[] payload = new byte[payloadLen];
      System.arraycopy(data, off + 9, payload, 0, payloadLen);
      records.add(new Rec(off, type, payload));
      off = (int) recEnd;
    }
  }

  private void fail(int claimedEnd, String what) {
    problem = what;
    problemEnd = claimedEnd;
  }

  /** True if nothing but zeros follows the bad record: what a write cut short looks like. */
  boolean problemLooksTorn(byte[] data) {
    return problem != null && Records.zeros(data, problemEnd, data.length);
  }
}
