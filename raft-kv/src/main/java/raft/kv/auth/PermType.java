package raft.kv.auth;

/** What a request does to keys, for {@link AuthView#checkPermitted}: etcd's READ or WRITE. */
public enum PermType {
  READ,
  WRITE
}
