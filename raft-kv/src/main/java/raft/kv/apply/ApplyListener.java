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
   * @param result the response proto (PutResponse, DeleteRangeResponse, TxnResponse,
   *     CompactionResponse, LeaseGrantResponse, LeaseRevokeResponse, LeaseKeepAliveResponse)
   *     with header.revision set, or the {@link raft.kv.mvcc.KvException} that refused it
   */
  void applied(long requestId, long index, Object result);

  ApplyListener NONE = (requestId, index, result) -> { };
}
