package raft.storage.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import raft.pb.Entry;
import raft.pb.EntryType;
import raft.pb.HardState;

/** frameAll writes exactly the bytes frame() writes for each message's toByteArray(). */
class RecordsFrameAllTest {

  @Test
  void sameBytesAsFramingEachMessagesArray() {
    Random r = new Random(18);
    for (int round = 0; round < 50; round++) {
      List<Entry> entries = new ArrayList<>();
      for (int i = 0, n = r.nextInt(5); i < n; i++) {
        byte[] data = new byte[r.nextInt(600)];
        r.nextBytes(data);
        entries.add(Entry.newBuilder().setIndex(round * 10L + i).setTerm(r.nextInt(9))
            .setType(i % 3 == 2 ? EntryType.ENTRY_CONF_CHANGE_V2 : EntryType.ENTRY_NORMAL)
            .setData(ByteString.copyFrom(data)).build());
      }
      HardState hs = r.nextBoolean() ? null : HardState.newBuilder().setTerm(r.nextInt(1 << 20))
          .setVote(r.nextLong()).setCommit(round).build();
      assertArrayEquals(framedOneByOne(entries, hs),
          Records.frameAll(entries, Records.ENTRY, hs, Records.HARD_STATE));
    }
  }

  @Test
  void oneRecordAlone() {
    HardState hs = HardState.newBuilder().setTerm(3).setCommit(7).build();
    assertArrayEquals(framedOneByOne(List.of(), hs),
        Records.frameAll(List.of(), Records.SNAPSHOT, hs, Records.HARD_STATE));
  }

  // The way Wal.save framed a batch before: each message's own array, then frame().
  private static byte[] framedOneByOne(List<Entry> entries, HardState hs) {
    List<byte[]> payloads = new ArrayList<>();
    List<Byte> types = new ArrayList<>();
    for (MessageLite e : entries) {
      payloads.add(e.toByteArray());
      types.add(Records.ENTRY);
    }
    if (hs != null) {
      payloads.add(hs.toByteArray());
      types.add(Records.HARD_STATE);
    }
    int size = payloads.stream().mapToInt(Records::framedSize).sum();
    ByteBuffer buf = ByteBuffer.allocate(size);
    for (int i = 0; i < payloads.size(); i++) {
      Records.frame(buf, types.get(i), payloads.get(i));
    }
    return buf.array();
  }
}
