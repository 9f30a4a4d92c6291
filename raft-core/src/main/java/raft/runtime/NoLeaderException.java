package raft.runtime;

/**
 * Raft dropped a request because this member knows no leader (an election is under way) or a
 * leadership transfer is in progress (thesis §3.10). Nothing was appended: retrying is safe.
 */
public final class NoLeaderException extends RuntimeException {
  public NoLeaderException(String message) {
    super(message);
  }

  /** Raft dropped {@code what} (a proposal, a read) on member {@code id}. */
  static NoLeaderException dropped(String what, long id) {
    return new NoLeaderException(what + " dropped: member " + id + " knows no leader, or a "
        + "leadership transfer is in progress; retry later");
  }
}
