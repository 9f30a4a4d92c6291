package raft.jepsen.history;

/**
 * One client operation in a recorded history, Jepsen style: who did what to which key, when it
 * was invoked and when it completed, and how it ended.
 *
 * <p>Register workload semantics: {@code READ} returns {@code value} (null = key absent);
 * {@code WRITE} sets {@code value}; {@code CAS} sets {@code value} if the register held
 * {@code expected}. For a CAS that completed {@code OK} the compare succeeded; one that
 * completed {@code FAIL} certainly did not change anything (the compare failed, or the server
 * refused it before proposing).
 *
 * @param process the client (one connection each); a process runs one operation at a time
 * @param invokeNanos when the client sent the request (a monotonic clock shared by the run)
 * @param completeNanos when the client saw the outcome; {@link Long#MAX_VALUE} for {@code INFO}
 *     operations, which may take effect at any time after invocation, or never
 */
public record Op(
    int process,
    String key,
    Kind kind,
    String value,
    String expected,
    long invokeNanos,
    long completeNanos,
    Outcome outcome) {

  public enum Kind { READ, WRITE, CAS }

  /** OK: happened. FAIL: certainly did not happen. INFO: unknown (timeout, connection lost). */
  public enum Outcome { OK, FAIL, INFO }

  public Op {
    if (outcome == Outcome.INFO) {
      completeNanos = Long.MAX_VALUE;
    }
    if (completeNanos < invokeNanos) {
      throw new IllegalArgumentException("op completes before it is invoked: " + invokeNanos
          + " > " + completeNanos);
    }
  }

  public static Op read(int process, String key, String result, long invoke, long complete) {
    return new Op(process, key, Kind.READ, result, null, invoke, complete, Outcome.OK);
  }

  public static Op write(int process, String key, String value, long invoke, long complete,
      Outcome outcome) {
    return new Op(process, key, Kind.WRITE, value, null, invoke, complete, outcome);
  }

  public static Op cas(int process, String key, String expected, String value, long invoke,
      long complete, Outcome outcome) {
    return new Op(process, key, Kind.CAS, value, expected, invoke, complete, outcome);
  }
}
