package raft.jepsen;

import raft.jepsen.nemesis.Schedule;

/**
 * One run's knobs.
 *
 * @param name names the run's key prefix ({@code jepsen/<name>/}) and its report directory
 * @param seed drives the clients' choices (the schedule is made from it by the caller)
 * @param seconds how long the clients and the nemesis run, before healing and final reads
 * @param clients client lanes, each with one connection, spread over the members
 * @param keys register keys {@code k0..k(keys-1)}
 * @param thinkMillis mean pause between one lane's operations (0: back to back)
 * @param opDeadlineMillis gRPC deadline of each operation; past it the op is INFO (or a FAIL
 *     for reads, which change nothing)
 * @param serializableReads read locally instead of linearizably (the "teeth" mode)
 * @param watchers prefix watchers running through the whole run
 */
public record RunConfig(String name, long seed, int seconds, int clients, int keys,
    long thinkMillis, long opDeadlineMillis, boolean serializableReads, int watchers,
    Schedule schedule) {

  public static RunConfig defaults(String name, long seed, int seconds, Schedule schedule) {
    return new RunConfig(name, seed, seconds, 5, 5, 5, 2000, false, 3, schedule);
  }

  public RunConfig withClients(int n) {
    return new RunConfig(name, seed, seconds, n, keys, thinkMillis, opDeadlineMillis,
        serializableReads, watchers, schedule);
  }

  public RunConfig withThinkMillis(long ms) {
    return new RunConfig(name, seed, seconds, clients, keys, ms, opDeadlineMillis,
        serializableReads, watchers, schedule);
  }

  public RunConfig withSerializableReads() {
    return new RunConfig(name, seed, seconds, clients, keys, thinkMillis, opDeadlineMillis,
        true, watchers, schedule);
  }
}
