package raft.runtime;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import raft.pb.ConfChangeV2;
import raft.pb.ConfState;

/**
 * The replicated state machine a {@link NodeRuntime} feeds with committed entries.
 *
 * <p>Threading: every method is called from the runtime's single apply thread, never from the
 * Raft loop, so a slow apply does not delay heartbeats. Determinism: {@link #apply} must not read
 * a clock or a random number; the same entries in the same order give the same state on every
 * member. Idempotency: the runtime never applies an index twice after a successful return, but
 * after a crash it replays entries above the last snapshot, so the state machine must start from
 * {@link #restore} (or empty) and is rebuilt by replay.
 */
public interface StateMachine {

  /**
   * Applies one committed entry. {@code data} is empty for the no-op entry a new leader appends
   * (§8); the state machine should still note the index.
   */
  void apply(long index, long term, ByteString data);

  /**
   * Applies a committed membership change: {@code after} is the configuration from this index
   * on; {@code refused} is null, or why the change was invalid and left the configuration as it
   * was (the same on every member). The default treats it as an empty entry.
   */
  default void applyConfChange(long index, long term, ConfChangeV2 cc, ConfState after,
      String refused) {
    apply(index, term, ByteString.EMPTY);
  }

  /**
   * Writes the whole state as of the last applied entry, for a snapshot (§7). The runtime
   * streams it into the snapshot file, so the state is never copied whole in memory. It calls
   * this twice in a row, first to count the bytes: both calls must write the same bytes.
   */
  void writeSnapshot(OutputStream out) throws IOException;

  /** The whole state in memory: {@link #writeSnapshot}'s bytes (for tests and small states). */
  default ByteString snapshot() {
    ByteString.Output out = ByteString.newOutput();
    try {
      writeSnapshot(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // an in-memory stream does not fail
    }
    return out.toByteString();
  }

  /** Replaces the whole state with a snapshot's, taken at {@code index}. */
  void restore(long index, ByteString data);
}
