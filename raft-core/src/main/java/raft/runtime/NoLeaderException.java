package raft.runtime;

/**
 * Raft dropped a request because this member knows no leader (an election is under way) or a
 * leadership transfer is in progress (thesis §3.10). Nothing was appended: retrying is safe.
 */
public final class NoLeaderException extends RuntimeException {
  public NoLeaderException(String message) {
    super(message);
  }
}
