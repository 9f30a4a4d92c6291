package raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.pb.MessageType.MSG_APP;
import static raft.pb.MessageType.MSG_HEARTBEAT;
import static raft.transport.TestPeers.msg;

import com.google.protobuf.ByteString;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.pb.Hello;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.pb.PeerFrame;
import raft.pb.Snapshot;
import raft.pb.SnapshotChunk;
import raft.pb.SnapshotMetadata;

/** §7 / Figure 13: large InstallSnapshot messages are chunked, checked, and do not block others. */
class PeerTransportSnapshotTest {
  static final int CHUNK = 256 << 10;

  static Message snapshot(long from, long to, int bytes, long seed) {
    byte[] data = new byte[bytes];
    new Random(seed).nextBytes(data);
    SnapshotMetadata meta = SnapshotMetadata.newBuilder().setIndex(42).setTerm(3).build();
    return Message.newBuilder().setType(MessageType.MSG_SNAP).setFrom(from).setTo(to).setTerm(3)
        .setSnapshot(Snapshot.newBuilder().setData(ByteString.copyFrom(data)).setMetadata(meta))
        .build();
  }

  @Test
  @DisplayName("§7: a 5 MiB MsgSnap sent in 256 KiB chunks arrives intact")
  void largeSnapshotArrivesIntact() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, TestPeers.CLUSTER, addrs, CHUNK);
        TestPeers b = TestPeers.start(2, addrs)) {
      Message snap = snapshot(1, 2, 5 << 20, 1);
      a.transport.send(snap);
      assertEquals(snap, b.take());
    }
  }

  @Test
  @DisplayName("§7: a chunk stream whose CRC32C does not match is dropped; the connection lives on")
  void corruptedChunksRejected() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers b = TestPeers.start(2, addrs);
        Socket s = new Socket("127.0.0.1", addrs.get(2L).getPort())) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      Hello hello = Hello.newBuilder().setClusterId(TestPeers.CLUSTER).setFrom(1).build();
      TestPeers.writeFrame(out, PeerFrame.newBuilder().setHello(hello).build());
      byte[] bytes = snapshot(1, 2, 1 << 20, 2).toByteArray();
      int crc = SnapshotChunks.crc32c(ByteString.copyFrom(bytes));
      bytes[bytes.length / 2] ^= 0x01; // one bit flipped in flight
      for (int off = 0; off < bytes.length; off += CHUNK) {
        int n = Math.min(CHUNK, bytes.length - off);
        boolean done = off + n == bytes.length;
        SnapshotChunk c = SnapshotChunk.newBuilder().setSnapshotTerm(3).setSnapshotIndex(42)
            .setOffset(off).setData(ByteString.copyFrom(bytes, off, n)).setDone(done)
            .setCrc32C(done ? crc : 0).build();
        TestPeers.writeFrame(out, PeerFrame.newBuilder().setChunk(c).build());
      }
      Message after = msg(MSG_APP, 1, 2, 9);
      TestPeers.writeFrame(out, PeerFrame.newBuilder().setMessage(after).build());
      // Frames on one connection are handled in order: had the snapshot passed, it came first.
      assertEquals(after, b.take());
      String line = b.awaitLog(l -> l.contains("CRC32C mismatch"));
      assertTrue(line.startsWith("snapshot 42@3 from peer 127.0.0.1:" + s.getLocalPort()), line);
    }
  }

  @Test
  @DisplayName("Figure 13: heartbeats overtake a 20 MiB snapshot in flight to the same peer")
  void heartbeatsFlowDuringSnapshot() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, TestPeers.CLUSTER, addrs, CHUNK);
        TestPeers b = TestPeers.start(2, addrs)) {
      a.transport.send(msg(MSG_HEARTBEAT, 1, 2, 1)); // open the message connection first
      assertEquals(1, b.take().getIndex());
      Message snap = snapshot(1, 2, 20 << 20, 3);
      a.transport.send(snap);
      a.transport.send(msg(MSG_HEARTBEAT, 1, 2, 2));
      Message first = b.take();
      assertEquals(MSG_HEARTBEAT, first.getType(), "the heartbeat waited for the snapshot");
      assertEquals(snap, b.take());
    }
  }
}
