package raft.jepsen.db;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The system under test, as the nemesis sees it: members numbered 1..n, each with one client
 * endpoint, and the faults that can be done to them. Blocking: every method may wait for
 * processes or the network (each with its own bound); called from one thread at a time (the
 * harness and its nemesis take turns).
 */
public interface Db extends AutoCloseable {
  /** Member k's client endpoint, host:port, for k in 1..nodes(). */
  List<String> endpoints();

  default int nodes() {
    return endpoints().size();
  }

  /**
   * How clients, watchers and final reads connect: plain text unless the db runs with TLS
   * (then with its client certificate) or auth (then as a user allowed the run's keys).
   */
  default raft.jepsen.client.Dialer dialer() {
    return raft.jepsen.client.Dialer.PLAIN;
  }

  /** As {@link #dialer}, as the root user with auth on (HashKV needs root, as in etcd). */
  default raft.jepsen.client.Dialer adminDialer() {
    return dialer();
  }

  /** Whether the nemesis may kill, pause and restart members (false for foreign endpoints). */
  boolean controlsProcesses();

  /** Whether {@link #cut} works (our transport only: etcd has no partition hook). */
  boolean supportsPartitions();

  /** The member that says it is leader, 1-based, or 0 if none answers so. */
  int leader();

  /**
   * Whether an {@code etcdserver: no leader} answer to a write certainly means the write was
   * never proposed (so the op is FAIL, not INFO). Only claimed where the server's code was read.
   */
  default boolean noLeaderMeansDropped() {
    return false;
  }

  /** SIGKILL member k (a power cut). */
  void kill(int k) throws Exception;

  /** Starts member k from its data; returns once it answers. */
  void restart(int k) throws Exception;

  /** SIGSTOP member k. */
  void pause(int k) throws Exception;

  /** SIGCONT member k. */
  void resume(int k) throws Exception;

  /**
   * Sets, for each member named, the members it cuts off (both ways is the caller's job: name
   * the cut on both sides). Members not named keep their cut sets.
   */
  void cut(Map<Integer, Set<Integer>> cutsPerMember) throws Exception;

  /** Whether the member nemesis may change the membership (remove, add, grow, shrink). */
  default boolean supportsMembership() {
    return false;
  }

  /**
   * The nodes that are members now (1-based): all of 1..nodes() unless the membership changed
   * or the db was started with fewer members than endpoints (room to grow).
   */
  default Set<Integer> members() {
    Set<Integer> all = new java.util.TreeSet<>();
    for (int k = 1; k <= nodes(); k++) {
      all.add(k);
    }
    return all;
  }

  /** The client endpoints of the members now (replicas are compared over these). */
  default List<String> memberEndpoints() {
    return members().stream().map(k -> endpoints().get(k - 1)).toList();
  }

  /** Removes member k from the configuration (MemberRemove), stops it and wipes its data. */
  default void removeMember(int k) throws Exception {
    throw new UnsupportedOperationException("this db cannot change its membership");
  }

  /**
   * Adds node k as a new member with an empty data dir: a learner, caught up, then promoted.
   * Returns once it is a voter.
   */
  default void addMember(int k) throws Exception {
    throw new UnsupportedOperationException("this db cannot change its membership");
  }

  /** Resumes, restarts and reconnects every member: nothing faulty afterwards. */
  void healAll() throws Exception;

  /** Stops every member this harness started (data kept for the post-mortem). */
  @Override
  void close() throws Exception;
}
