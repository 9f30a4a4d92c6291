package raft.kv.cyclefixturepong;

import raft.kv.cyclefixtureping.Ping;

/** With {@link Ping}, a package cycle: LayeringTest's cycle rule must report it. */
public final class Pong {
  public Ping ping;
}
