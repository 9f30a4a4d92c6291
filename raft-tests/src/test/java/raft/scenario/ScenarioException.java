package raft.scenario;

/** A mistake in a scenario script (unknown command, bad argument), not in the protocol. */
final class ScenarioException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ScenarioException(String message) {
    super(message);
  }
}
