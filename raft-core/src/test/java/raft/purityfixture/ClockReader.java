package raft.purityfixture;

/** Test-only: what PurityTest must reject, reading the wall clock. Never executed. */
public final class ClockReader {
  private ClockReader() {}

  public static long now() {
    return System.currentTimeMillis();
  }
}
