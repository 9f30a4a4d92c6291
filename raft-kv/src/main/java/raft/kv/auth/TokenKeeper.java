package raft.kv.auth;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Simple tokens (etcd's default): made by the member that authenticates (random, 16 letters +
 * "." + index), registered on every member when the Authenticate entry applies, valid 5 minutes
 * after last use, lost on restart (then "etcdserver: invalid auth token").
 *
 * <p>In memory only. A restarted member replays the log entries after its last snapshot, among
 * them Authenticate entries from before the restart: tokens of entries at or below the log's
 * last index at start ({@link #ignoreUpTo}) are therefore not registered again, so every token
 * issued before a restart is refused by the restarted member, as etcd's are.
 *
 * <p>Threading: registered and dropped on the apply thread, read on any thread.
 */
public final class TokenKeeper {
  /** etcd's simpleTokenTTLDefault. */
  public static final Duration TTL = Duration.ofMinutes(5);
  private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final int PREFIX_LENGTH = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final LongSupplier nanoClock;
  private final long ttlNanos;
  private final Map<String, Entry> tokens = new ConcurrentHashMap<>();
  private volatile long ignoredUpTo;
  private long lastSweep; // apply thread only

  private static final class Entry {
    final String user;
    volatile long expiresAt;

    Entry(String user, long expiresAt) {
      this.user = user;
      this.expiresAt = expiresAt;
    }
  }

  /** {@code nanoClock}: System::nanoTime in a member, a hand-moved clock in tests. */
  public TokenKeeper(LongSupplier nanoClock, Duration ttl) {
    this.nanoClock = nanoClock;
    this.ttlNanos = ttl.toNanos();
  }

  public TokenKeeper() {
    this(System::nanoTime, TTL);
  }

  /** The user the token belongs to, refreshing its TTL; empty if unknown or expired. */
  public Optional<String> user(String token) {
    if (token == null) {
      return Optional.empty();
    }
    Entry e = tokens.get(token);
    long now = nanoClock.getAsLong();
    if (e == null) {
      return Optional.empty();
    }
    if (now - e.expiresAt > 0) {
      tokens.remove(token, e);
      return Optional.empty();
    }
    e.expiresAt = now + ttlNanos;
    return Optional.of(e.user);
  }

  /** etcd's genTokenPrefix: 16 random letters, made before proposing (never at apply). */
  public static String newPrefix() {
    char[] c = new char[PREFIX_LENGTH];
    for (int i = 0; i < c.length; i++) {
      c[i] = LETTERS.charAt(RANDOM.nextInt(LETTERS.length()));
    }
    return new String(c);
  }

  /** etcd's token: the proposer's prefix, ".", the index of the Authenticate entry. */
  public static String token(String prefix, long index) {
    return prefix + "." + index;
  }

  /** The Authenticate entry at {@code index} applied: its token is valid from now on. */
  public void register(String user, String token, long index) {
    if (index <= ignoredUpTo) {
      return; // replayed after a restart: issued before it, so not valid any more
    }
    long now = nanoClock.getAsLong();
    sweep(now);
    tokens.put(token, new Entry(user, now + ttlNanos));
  }

  /** Tokens of entries at or below {@code index} (the log's end at start) are not taken. */
  public void ignoreUpTo(long index) {
    ignoredUpTo = index;
  }

  /** The user was deleted or its password changed: its tokens end (etcd's invalidateUser). */
  public void invalidateUser(String user) {
    tokens.values().removeIf(e -> e.user.equals(user));
  }

  /** Auth was disabled: every token ends. */
  public void clear() {
    tokens.clear();
  }

  /** Tokens held now (tests, metrics). */
  public int size() {
    return tokens.size();
  }

  // etcd sweeps once a second on a timer; here a registration sweeps if the last sweep is a
  // second old, so the map holds about the tokens issued within one TTL, and a burst of
  // authentications costs one pass a second, not one per token.
  private void sweep(long now) {
    if (now - lastSweep < 1_000_000_000L) {
      return;
    }
    lastSweep = now;
    tokens.values().removeIf(e -> now - e.expiresAt > 0);
  }
}
