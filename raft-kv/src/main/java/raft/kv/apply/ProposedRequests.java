package raft.kv.apply;

import com.google.protobuf.ByteString;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import raft.kv.pb.InternalRequest;

/**
 * The proposing member's hand-off of its own requests to its apply thread, so that the thread
 * need not parse again the entry this member just encoded (switch {@code raftkv.alloc.handoff},
 * off by default). Keyed by the entry's bytes, compared by content: an entry with the same bytes
 * parses to an equal request, so whichever request is found is the one the entry holds; on the
 * proposer the entry carries the very ByteString offered, so the lookup's hash is the one
 * computed when it was offered, and equals() is an identity check. A request not found (another
 * member's, a lost hand-off, a restart) is parsed as before.
 *
 * <p>Off by default, because a handed-off request keeps the key and value gRPC parsed, while a
 * parsed one aliases the entry's bytes: the store then holds copies of bytes the Raft log holds
 * too, about 300 more bytes per 256-byte put until the log is compacted (up to 100,000 entries).
 * It saves about 500 bytes allocated per put on the proposer (JFR, put-64). Thread-safe.
 */
public final class ProposedRequests {
  /** The switch: {@code -Draftkv.alloc.handoff=on} hands requests over. */
  public static final boolean DEFAULT_ENABLED =
      "on".equals(System.getProperty("raftkv.alloc.handoff", "off"));

  // Bounded by the proposals in flight: each leaves when applied here or when it fails.
  private final Map<ByteString, InternalRequest> byEntry = new ConcurrentHashMap<>();
  private final boolean enabled;

  public ProposedRequests(boolean enabled) {
    this.enabled = enabled;
  }

  public boolean enabled() {
    return enabled;
  }

  /** Before proposing {@code entry}, the encoding of {@code request}. */
  public void offer(ByteString entry, InternalRequest request) {
    if (enabled) {
      byEntry.put(entry, request);
    }
  }

  /** Once the proposal is done with (applied, failed or timed out): nothing stays behind. */
  public void withdraw(ByteString entry) {
    if (enabled) {
      byEntry.remove(entry);
    }
  }

  /** On the apply thread: the request {@code entry} encodes if this member offered it, or null. */
  InternalRequest take(ByteString entry) {
    return enabled && !byEntry.isEmpty() ? byEntry.remove(entry) : null;
  }

  /** Requests offered and not yet applied or withdrawn. */
  public int size() {
    return byEntry.size();
  }
}
