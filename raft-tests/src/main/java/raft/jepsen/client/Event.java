package raft.jepsen.client;

import raft.jepsen.history.Op;

/**
 * One recorded operation with what the picture needs beyond the {@link Op}: the client lane it
 * ran on and when the client actually gave up on it ({@code Op} says {@code INFO} ops never
 * complete, but the bar still ends where the client stopped waiting).
 *
 * @param workload {@code "register"}, {@code "set"} or {@code "final"} (post-heal reads)
 */
public record Event(int lane, Op op, long seenNanos, String workload) {}
