package raft.jepsen.nemesis;

/**
 * One fault as it happened: from when it was put in place to when it was healed (both on the
 * run's {@code System.nanoTime()} clock), and what it was, e.g. {@code "kill n2 (leader)"}.
 */
public record FaultWindow(long startNanos, long endNanos, String description) {}
