package raft.kv.cyclefixtureping;

import raft.kv.cyclefixturepong.Pong;

/** With {@link Pong}, a package cycle: LayeringTest's cycle rule must report it. */
public final class Ping {
  public Pong pong;
}
