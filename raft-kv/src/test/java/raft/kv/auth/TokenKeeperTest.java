package raft.kv.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Simple tokens: etcd's form, 5 minutes after last use, on a clock the test moves. */
class TokenKeeperTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  private final TokenKeeper keeper = new TokenKeeper(now::get, TokenKeeper.TTL);

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void aTokenIsSixteenLettersADotAndTheEntrysIndex() {
    String prefix = TokenKeeper.newPrefix();
    assertTrue(prefix.matches("[a-zA-Z]{16}"), prefix);
    assertEquals(prefix + ".42", TokenKeeper.token(prefix, 42));
  }

  @Test
  void aTokenLastsFiveMinutesAfterItsLastUse() {
    keeper.register("alice", "t.5", 5);
    advance(Duration.ofMinutes(4));
    assertEquals("alice", keeper.user("t.5").orElseThrow(), "used: 5 more minutes from now");
    advance(Duration.ofMinutes(4));
    assertEquals("alice", keeper.user("t.5").orElseThrow());
    advance(Duration.ofMinutes(5).plusSeconds(1));
    assertTrue(keeper.user("t.5").isEmpty(), "unused for over 5 minutes");
    assertTrue(keeper.user("never.1").isEmpty());
    assertTrue(keeper.user(null).isEmpty());
  }

  @Test
  void expiredTokensAreSweptAsNewOnesCome() {
    keeper.register("alice", "a.1", 1);
    keeper.register("bob", "b.2", 2);
    advance(Duration.ofMinutes(6));
    keeper.register("carol", "c.3", 3);
    assertEquals(1, keeper.size());
  }

  @Test
  void invalidateClearAndIgnore() {
    keeper.register("alice", "a.1", 1);
    keeper.register("alice", "a.2", 2);
    keeper.register("bob", "b.3", 3);
    keeper.invalidateUser("alice");
    assertTrue(keeper.user("a.1").isEmpty() && keeper.user("a.2").isEmpty());
    assertEquals("bob", keeper.user("b.3").orElseThrow());
    keeper.clear();
    assertEquals(0, keeper.size());
    keeper.ignoreUpTo(10);
    keeper.register("bob", "b.10", 10);
    keeper.register("bob", "b.11", 11);
    assertTrue(keeper.user("b.10").isEmpty(), "issued before the restart");
    assertEquals("bob", keeper.user("b.11").orElseThrow());
  }
}
