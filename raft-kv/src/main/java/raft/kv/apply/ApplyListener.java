package raft.kv.apply;

/**
 * Told the outcome of every applied request, so the member that proposed it can answer its
 * waiting client (matched by {@code requestId}, the InternalRequest id).
 *
 * <p>Threading: called on the apply thread after the entry is applied (watch events of the entry
 * were already delivered); must not block.
 */
public interface ApplyListener {
  /**
   * @param result the request's response (with header.revision set), or its refusal
   */
  void applied(long requestId, long index, ApplyResult result);

  ApplyListener NONE = (requestId, index, result) -> { };
}
