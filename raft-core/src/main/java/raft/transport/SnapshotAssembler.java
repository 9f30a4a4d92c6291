package raft.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Optional;
import java.util.function.Consumer;
import raft.pb.Message;
import raft.pb.SnapshotChunk;

/**
 * Reassembles the SnapshotChunks of one inbound connection into the MsgSnap they carry.
 *
 * <p>Chunks must arrive in order (offset 0, then each offset equal to the bytes so far, all of
 * one snapshot term and index); a chunk at offset 0 starts over, which is what a leader that
 * retries does. A gap or a CRC32C mismatch drops the snapshot with one log line; the leader will
 * send it again (§7). Confined to the connection's event loop.
 */
final class SnapshotAssembler {
  private final String peer;
  private final Consumer<String> log;
  private ByteString received = ByteString.EMPTY; // a rope: concatenation does not copy
  private long term;
  private long index;
  private boolean active; // false: ignoring chunks until the next offset 0

  SnapshotAssembler(String peer, Consumer<String> log) {
    this.peer = peer;
    this.log = log;
  }

  /** Adds a chunk; returns the Message once the last chunk arrives and the CRC matches. */
  Optional<Message> add(SnapshotChunk c) {
    if (c.getOffset() == 0) {
      active = true;
      received = ByteString.EMPTY;
      term = c.getSnapshotTerm();
      index = c.getSnapshotIndex();
    } else if (!active) {
      return Optional.empty();
    } else if (c.getOffset() != received.size() || c.getSnapshotTerm() != term
        || c.getSnapshotIndex() != index) {
      drop("got chunk at offset " + c.getOffset() + " of snapshot " + c.getSnapshotIndex() + "@"
          + c.getSnapshotTerm() + " while expecting offset " + received.size());
      return Optional.empty();
    }
    received = received.concat(c.getData());
    if (!c.getDone()) {
      return Optional.empty();
    }
    return finish(c.getCrc32C());
  }

  private Optional<Message> finish(int expectedCrc) {
    int actual = SnapshotChunks.crc32c(received);
    if (actual != expectedCrc) {
      drop(String.format("CRC32C mismatch (computed 0x%08x, sender said 0x%08x) over %d bytes",
          actual, expectedCrc, received.size()));
      return Optional.empty();
    }
    try {
      Message m = Message.parseFrom(received);
      reset();
      return Optional.of(m);
    } catch (InvalidProtocolBufferException e) {
      drop("reassembled bytes are not a Message (" + e.getMessage() + ")");
      return Optional.empty();
    }
  }

  private void drop(String why) {
    log.accept("snapshot " + index + "@" + term + " from peer " + peer + ": " + why
        + "; dropped it, the leader will retry");
    reset();
  }

  private void reset() {
    active = false;
    received = ByteString.EMPTY;
  }
}
