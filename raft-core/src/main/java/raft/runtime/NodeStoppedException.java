package raft.runtime;

/**
 * The member stopped (closed, or its storage failed) before the request was handed to Raft, or
 * while waiting for it. A proposal may or may not have been appended: the caller cannot tell
 * and must not assume either (retry only if the command is idempotent).
 */
public final class NodeStoppedException extends RuntimeException {
  public NodeStoppedException(String message) {
    super(message);
  }
}
