package raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.pb.Message;
import raft.pb.PeerFrame;
import raft.pb.SnapshotChunk;

/** Chunking and reassembly without sockets. */
class SnapshotAssemblerTest {
  final List<String> log = new ArrayList<>();
  final SnapshotAssembler assembler = new SnapshotAssembler("test", log::add);

  static List<SnapshotChunk> chunks(Message m, int size) {
    SnapshotChunks in = new SnapshotChunks(m, size);
    List<SnapshotChunk> out = new ArrayList<>();
    PeerFrame f;
    while ((f = in.readChunk((io.netty.buffer.ByteBufAllocator) null)) != null) {
      out.add(f.getChunk());
    }
    assertTrue(in.isEndOfInput());
    return out;
  }

  Optional<Message> feed(List<SnapshotChunk> cs) {
    Optional<Message> last = Optional.empty();
    for (SnapshotChunk c : cs) {
      assertTrue(last.isEmpty(), "delivered before the last chunk");
      last = assembler.add(c);
    }
    return last;
  }

  @Test
  @DisplayName("§7: chunks reassemble into the same Message, carrying term, index and CRC")
  void roundTrip() {
    Message snap = PeerTransportSnapshotTest.snapshot(1, 2, 100_000, 7);
    List<SnapshotChunk> cs = chunks(snap, 4096);
    assertEquals((snap.getSerializedSize() + 4095) / 4096, cs.size());
    assertEquals(42, cs.get(0).getSnapshotIndex());
    assertEquals(3, cs.get(0).getSnapshotTerm());
    assertTrue(cs.get(cs.size() - 1).getDone());
    assertEquals(Optional.of(snap), feed(cs));
    assertEquals(List.of(), log);
  }

  @Test
  @DisplayName("§7: a missing chunk drops the snapshot; a retry from offset 0 succeeds")
  void gapThenRetry() {
    Message snap = PeerTransportSnapshotTest.snapshot(1, 2, 50_000, 8);
    List<SnapshotChunk> cs = chunks(snap, 4096);
    List<SnapshotChunk> gappy = new ArrayList<>(cs);
    gappy.remove(3);
    assertEquals(Optional.empty(), feed(gappy));
    assertEquals(1, log.size(), "one line per broken snapshot: " + log);
    assertTrue(log.get(0).contains("expecting offset"), log.get(0));
    assertEquals(Optional.of(snap), feed(cs));
  }

  @Test
  @DisplayName("§7: a wrong CRC32C drops the snapshot")
  void crcMismatch() {
    List<SnapshotChunk> cs = new ArrayList<>(chunks(
        PeerTransportSnapshotTest.snapshot(1, 2, 20_000, 9), 4096));
    SnapshotChunk last = cs.remove(cs.size() - 1);
    cs.add(last.toBuilder().setCrc32C(last.getCrc32C() + 1).build());
    assertEquals(Optional.empty(), feed(cs));
    assertTrue(log.get(0).contains("CRC32C mismatch"), log.toString());
  }
}
