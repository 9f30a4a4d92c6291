package raft.kv.auth;

/** TEMPORARY copy of the contract (authstore owns it). */
public final class TokenKeeper {
  public java.util.Optional<String> user(String token) {
    return java.util.Optional.empty();
  }
}
