package raft.purityfixture;

import java.util.Random;

/** Test-only: what PurityTest must reject, drawing ambient randomness. Never executed. */
public final class AmbientRandomness {
  private AmbientRandomness() {}

  public static int roll() {
    return new Random().nextInt(6);
  }
}
