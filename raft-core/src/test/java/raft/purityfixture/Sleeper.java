package raft.purityfixture;

/** Test-only: what PurityTest must reject, blocking a thread. Never executed. */
public final class Sleeper {
  private Sleeper() {}

  public static void nap() throws InterruptedException {
    Thread.sleep(1);
  }
}
