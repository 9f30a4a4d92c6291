package raft.kv.auth;

/** TEMPORARY copy of the contract (authstore owns it); removed when merging authstore. */
public interface AuthView {
  boolean enabled();

  long revision();

  void checkPermitted(String user, com.google.protobuf.ByteString key,
      com.google.protobuf.ByteString rangeEnd, PermType type);

  void checkAdmin(String user);
}
