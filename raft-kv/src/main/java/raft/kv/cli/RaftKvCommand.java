package raft.kv.cli;

/** Placeholder until the CLI lands. */
public final class RaftKvCommand {
  public static void main(String[] args) {
    System.out.println("raftkv: not built yet");
  }
}
