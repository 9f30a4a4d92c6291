package raft.kv.server;

import java.util.function.Consumer;
import java.util.function.Supplier;
import raft.kv.auth.AuthException;
import raft.kv.auth.AuthView;
import raft.kv.auth.Permissions;

/**
 * etcd's doSerialize: a read served by this member (a range, a txn that only reads) is checked
 * here against the current auth state, after the ReadIndex barrier of a linearizable read; if
 * the auth state moved while the read ran, the answer is withheld ("revision of auth store is
 * old") rather than sent under permissions that may no longer hold.
 */
final class ReadAuth {
  private final Supplier<AuthView> view;

  ReadAuth(Supplier<AuthView> view) {
    this.view = view;
  }

  AuthView view() {
    return view.get();
  }

  <T> T serve(Caller caller, Consumer<Permissions> check, Supplier<T> read) {
    check.accept(caller.permissions(view.get()));
    T answer = read.get();
    if (caller.revision() != 0 && caller.revision() != view.get().revision()) {
      throw AuthException.authOldRevision();
    }
    return answer;
  }
}
