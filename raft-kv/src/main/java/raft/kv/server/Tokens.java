package raft.kv.server;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import raft.kv.auth.AuthException;
import raft.kv.auth.AuthView;
import raft.kv.auth.TokenKeeper;

/**
 * Resolves a client's simple token to its {@link Caller} (etcd's tokenSimple.info). A token is
 * "16 letters.index", index being the Authenticate entry's: a member that has not applied that
 * entry yet (the client authenticated through another member a moment ago) waits for a
 * linearizable barrier, which leaves it applied at least that far, before it looks, as etcd
 * waits for the index in isValidSimpleToken.
 */
final class Tokens {
  private final TokenKeeper keeper;
  private final Supplier<AuthView> view;
  private final LongSupplier appliedIndex;
  private final Supplier<CompletableFuture<Void>> barrier;

  Tokens(TokenKeeper keeper, Supplier<AuthView> view, LongSupplier appliedIndex,
      Supplier<CompletableFuture<Void>> barrier) {
    this.keeper = keeper;
    this.view = view;
    this.appliedIndex = appliedIndex;
    this.barrier = barrier;
  }

  AuthView view() {
    return view.get();
  }

  /** The token's user at the current auth revision, or etcd's "invalid auth token". */
  CompletableFuture<Caller> resolve(String token) {
    Optional<Long> index = index(token);
    if (index.isEmpty()) {
      return CompletableFuture.failedFuture(AuthException.invalidAuthToken());
    }
    if (Long.compareUnsigned(index.get(), appliedIndex.getAsLong()) <= 0) {
      return lookup(token);
    }
    return barrier.get().thenCompose(x -> lookup(token));
  }

  private CompletableFuture<Caller> lookup(String token) {
    long revision = view.get().revision(); // before the user: a change in between is caught
    return keeper.user(token).map(u -> CompletableFuture.completedFuture(new Caller(u, revision)))
        .orElseGet(() -> CompletableFuture.failedFuture(AuthException.invalidAuthToken()));
  }

  /** A client certificate's CN is the user when no token is sent (etcd's AuthInfoFromTLS). */
  Caller byCertificate(String commonName) {
    return new Caller(commonName, view.get().revision());
  }

  /** etcd's format check: exactly one dot, a decimal index after it. */
  static Optional<Long> index(String token) {
    int dot = token.indexOf('.');
    if (dot < 0 || token.indexOf('.', dot + 1) >= 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseUnsignedLong(token.substring(dot + 1)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
