package raft.kv.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import raft.kv.api.authpb.Permission;
import raft.kv.api.authpb.Role;
import raft.kv.api.authpb.User;

/**
 * The permission check (merged sorted ranges per user, {@link KeyRanges}) agrees with a naive
 * model of etcd's: a list of (role, range, type), a request permitted when every key it spans
 * is in some range of a role the user holds with a matching type. Keys are short strings over
 * {"\0", "a", "b"}: every boundary a gap can start at (a request's key, a range's end, a
 * point's key + "\0") is then one of the model's keys, so checking them one by one is exact.
 * Two broken checks (one that looks at the first key only, one that does not join adjacent
 * ranges) must be caught by the same comparison.
 */
class PermissionModelProperties {
  private static final String[] LETTERS = {"\0", "a", "b"};
  private static final List<String> UNIVERSE = universe(3);

  record Perm(int role, String key, String rangeEnd, Permission.Type type) {}

  record Request(String key, String rangeEnd, PermType type) {}

  record Case(List<Perm> perms, List<Integer> userRoles, Request request) {}

  interface Check {
    boolean permitted(Case c);
  }

  private static List<String> universe(int maxLen) {
    List<String> out = new ArrayList<>();
    List<String> level = List.of("");
    for (int len = 1; len <= maxLen; len++) {
      List<String> next = new ArrayList<>();
      for (String p : level) {
        for (String l : LETTERS) {
          next.add(p + l);
        }
      }
      out.addAll(next);
      level = next;
    }
    return out;
  }

  private static int cmp(String a, String b) {
    return ByteString.unsignedLexicographicalComparator().compare(ByteString.copyFromUtf8(a),
        ByteString.copyFromUtf8(b));
  }

  /** The model: key by key. */
  static boolean naive(Case c) {
    Request r = c.request();
    if (r.rangeEnd().isEmpty()) {
      return naiveCovers(c, r.key());
    }
    for (String u : UNIVERSE) {
      boolean inside = cmp(u, r.key()) >= 0 && (r.rangeEnd().equals("\0")
          || cmp(u, r.rangeEnd()) < 0);
      if (inside && !naiveCovers(c, u)) {
        return false;
      }
    }
    return true;
  }

  private static boolean naiveCovers(Case c, String k) {
    for (Perm p : c.perms()) {
      boolean typeOk = p.type() == Permission.Type.READWRITE
          || (p.type() == Permission.Type.READ) == (c.request().type() == PermType.READ);
      boolean in = cmp(k, p.key()) >= 0 && (p.rangeEnd().equals("\0")
          || (p.rangeEnd().isEmpty() ? k.equals(p.key()) : cmp(k, p.rangeEnd()) < 0));
      if (typeOk && in && c.userRoles().contains(p.role())) {
        return true;
      }
    }
    return false;
  }

  /** The real check, through an auth state holding these roles and a user "u" with some. */
  static boolean real(Case c) {
    TreeMap<String, Role> roles = new TreeMap<>();
    for (int i = 0; i < 3; i++) {
      Role.Builder b = Role.newBuilder().setName(ByteString.copyFromUtf8("r" + i));
      for (Perm p : c.perms()) {
        if (p.role() == i) {
          b.addKeyPermission(Permission.newBuilder().setKey(ByteString.copyFromUtf8(p.key()))
              .setRangeEnd(ByteString.copyFromUtf8(p.rangeEnd())).setPermType(p.type()));
        }
      }
      roles.put("r" + i, b.build());
    }
    TreeMap<String, User> users = new TreeMap<>();
    User.Builder u = User.newBuilder().setName(ByteString.copyFromUtf8("u"));
    c.userRoles().forEach(i -> u.addRoles("r" + i));
    users.put("u", u.build());
    AuthState s = new AuthState(true, 2, users, roles);
    try {
      s.checkPermitted("u", ByteString.copyFromUtf8(c.request().key()),
          ByteString.copyFromUtf8(c.request().rangeEnd()), c.request().type());
      return true;
    } catch (AuthException denied) {
      return false;
    }
  }

  /** Broken: a range request checked at its first key only. */
  static boolean firstKeyOnly(Case c) {
    Request r = c.request();
    return real(new Case(c.perms(), c.userRoles(), new Request(r.key(), "", r.type())));
  }

  /** Broken: a range must lie inside one permission (adjacent ones are not joined). */
  static boolean oneRangeOnly(Case c) {
    if (c.request().rangeEnd().isEmpty()) {
      return real(c);
    }
    for (Perm p : c.perms()) {
      Case alone = new Case(List.of(p), c.userRoles(), c.request());
      if (real(alone)) {
        return true;
      }
    }
    return false;
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<String> key = Arbitraries.of(LETTERS).list().ofMinSize(1).ofMaxSize(2)
        .map(l -> String.join("", l));
    Arbitrary<String> end = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.just("\0"), key);
    Arbitrary<Perm> perm = Combinators.combine(Arbitraries.integers().between(0, 2), key, end,
        Arbitraries.of(Permission.Type.READ, Permission.Type.WRITE, Permission.Type.READWRITE))
        .as(Perm::new);
    Arbitrary<Request> request = Combinators.combine(key, end, Arbitraries.of(PermType.class))
        .as(Request::new)
        // etcd's requests span forward; an inverted range is a point (see KeyRanges.covers).
        .filter(r -> r.rangeEnd().isEmpty() || r.rangeEnd().equals("\0")
            || cmp(r.rangeEnd(), r.key()) > 0);
    return Combinators.combine(perm.list().ofMaxSize(6),
        Arbitraries.integers().between(0, 2).set().map(s -> List.copyOf(s)), request)
        .as(Case::new);
  }

  @Property(tries = 2000)
  void theCheckAgreesWithTheKeyByKeyModel(@ForAll("cases") Case c) {
    assertEquals(naive(c), real(c), c::toString);
  }

  @Example
  void theComparisonCatchesBrokenChecks() {
    for (Check broken : List.<Check>of(PermissionModelProperties::firstKeyOnly,
        PermissionModelProperties::oneRangeOnly)) {
      boolean caught = cases().sampleStream().limit(20_000)
          .anyMatch(c -> naive(c) != broken.permitted(c));
      assertTrue(caught, "a broken check went unnoticed");
    }
  }
}
