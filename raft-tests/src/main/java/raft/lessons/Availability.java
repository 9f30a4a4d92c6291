package raft.lessons;

import java.util.SplittableRandom;

/**
 * Availability when each member is down independently with probability p: the fraction of the
 * time the cluster can still commit. Measured on the real protocol: for every crash set of an
 * n-member cluster the simulator answers "can the rest commit?" ({@link #commitCapable}); then
 * a seeded Monte Carlo draws crash sets and counts. The closed form for comparison is the
 * binomial sum over "at most (n-1)/2 members down".
 */
public final class Availability {
  /** The failure probabilities of the report. */
  public static final double[] PS = {0.01, 0.05, 0.1, 0.2, 0.3};
  /** The largest cluster the Monte Carlo draws members for (common random numbers). */
  public static final int MAX_N = 7;

  private Availability() {}

  /**
   * For each crash set of n members (bit i set: member i+1 is down), whether the survivors
   * committed a new entry within {@link Experiments#BOUND_TICKS}, measured by the simulator.
   */
  public static boolean[] commitCapable(int n, long seed) {
    boolean[] ok = new boolean[1 << n];
    SplittableRandom rnd = new SplittableRandom(seed * 7919 + n);
    for (int mask = 0; mask < ok.length; mask++) {
      ok[mask] = Experiments.crashAndProbe(n, Experiments.members(mask, n), false,
          rnd.nextLong(), rnd.nextInt(30)).committed();
    }
    return ok;
  }

  /**
   * The Monte Carlo estimate: in each trial every member is down with probability p, and the
   * trial counts if the measured outcome for that crash set is "can commit". The uniforms are
   * Latin-hypercube samples (per member, exactly one in each of the trials' equal strata, in a
   * seeded random order), which keeps the sampling error well inside the plain binomial standard
   * error; and every size and p uses the same uniforms (common random numbers), so clusters of
   * different sizes are compared on the same luck.
   */
  public static double monteCarlo(int n, double p, int trials, long seed, boolean[] ok) {
    double[][] u = uniforms(trials, seed);
    int good = 0;
    for (int t = 0; t < trials; t++) {
      int mask = 0;
      for (int i = 0; i < n; i++) {
        if (u[i][t] < p) {
          mask |= 1 << i;
        }
      }
      if (ok[mask]) {
        good++;
      }
    }
    return (double) good / trials;
  }

  /** u[i][t]: member i+1's uniform in trial t, stratified over the trials. */
  static double[][] uniforms(int trials, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][] u = new double[MAX_N][trials];
    for (int i = 0; i < MAX_N; i++) {
      int[] perm = new int[trials];
      for (int t = 0; t < trials; t++) {
        perm[t] = t;
      }
      for (int t = trials - 1; t > 0; t--) { // Fisher-Yates
        int j = rnd.nextInt(t + 1);
        int x = perm[t];
        perm[t] = perm[j];
        perm[j] = x;
      }
      for (int t = 0; t < trials; t++) {
        u[i][t] = (perm[t] + rnd.nextDouble()) / trials;
      }
    }
    return u;
  }

  /** The exact expectation of the measured outcomes under independent failures. */
  public static double weighted(int n, double p, boolean[] ok) {
    double sum = 0;
    for (int mask = 0; mask < ok.length; mask++) {
      if (ok[mask]) {
        int down = Integer.bitCount(mask);
        sum += Math.pow(p, down) * Math.pow(1 - p, n - down);
      }
    }
    return sum;
  }

  /** P(at most floor((n-1)/2) of n members down), each down with probability p. */
  public static double closedForm(int n, double p) {
    int f = (n - 1) / 2;
    double sum = 0;
    for (int k = 0; k <= f; k++) {
      sum += binomial(n, k) * Math.pow(p, k) * Math.pow(1 - p, n - k);
    }
    return sum;
  }

  static double binomial(int n, int k) {
    double c = 1;
    for (int i = 1; i <= k; i++) {
      c = c * (n - k + i) / i;
    }
    return c;
  }

  /**
   * The standard error of a fraction a estimated from the given number of trials:
   * sqrt(a(1-a)/trials), but never below 1/trials, because a count moves in steps of one trial
   * (for a near 1 the normal approximation would call a single failure many errors off).
   */
  public static double standardError(double a, int trials) {
    return Math.max(Math.sqrt(a * (1 - a) / trials), 1.0 / trials);
  }
}
