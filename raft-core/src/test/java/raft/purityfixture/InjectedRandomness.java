package raft.purityfixture;

import java.util.random.RandomGenerator;

/**
 * Test-only: what PurityTest must accept. Randomness from an injected, seeded generator
 * (java.util.random.RandomGenerator) is how the protocol is meant to draw election timeouts.
 */
public final class InjectedRandomness {
  private final RandomGenerator random;

  public InjectedRandomness(RandomGenerator random) {
    this.random = random;
  }

  public int timeout(int base) {
    return base + random.nextInt(base);
  }
}
