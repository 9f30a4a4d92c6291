package raft.kv.cli;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.DeleteRangeRequest;
import raft.kv.api.etcdserverpb.DeleteRangeResponse;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.PutResponse;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.client.Clients;

/**
 * put, get, del and compaction, as etcdctl 3.4 spells them. Each builds its request in
 * {@code toRequest()}, which {@link TxnParser} reuses for the ops inside a txn.
 */
public final class KvCommands {
  private KvCommands() {}

  /** The end of the range holding every key that starts with {@code key} (etcd's GetPrefix). */
  static ByteString prefixEnd(ByteString key) {
    byte[] k = key.toByteArray();
    for (int i = k.length - 1; i >= 0; i--) {
      if (k[i] != (byte) 0xff) {
        byte[] end = java.util.Arrays.copyOf(k, i + 1);
        end[i]++;
        return ByteString.copyFrom(end);
      }
    }
    return ByteString.copyFrom(new byte[] {0}); // all 0xff (or empty): every key from here on
  }

  static ByteString bytes(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  static long parseLeaseId(String hex) {
    try {
      return Long.parseUnsignedLong(hex, 16);
    } catch (NumberFormatException e) {
      throw new Clients.Failure("bad lease ID (" + hex + "), expecting ID in Hex");
    }
  }

  @Command(name = "put", description = "Puts the given key into the store.")
  public static final class Put extends ClientCommand {
    @Parameters(index = "0", paramLabel = "key") String key;
    @Parameters(index = "1", paramLabel = "value", arity = "0..1",
        description = "The value; read from stdin when left out.") String value;
    @Option(names = "--lease", defaultValue = "0", description = "Lease ID (in hex).")
    String lease;
    @Option(names = "--prev-kv", description = "Print the previous key-value.") boolean prevKv;
    @Option(names = "--ignore-value", description = "Keep the current value.")
    boolean ignoreValue;
    @Option(names = "--ignore-lease", description = "Keep the current lease.")
    boolean ignoreLease;
    @Option(names = {"-w", "--write-out"}, defaultValue = "simple",
        description = "simple or json.") String writeOut;

    PutRequest toRequest() {
      return PutRequest.newBuilder().setKey(bytes(key))
          .setValue(value == null ? ByteString.EMPTY : bytes(value))
          .setLease(parseLeaseId(lease)).setPrevKv(prevKv).setIgnoreValue(ignoreValue)
          .setIgnoreLease(ignoreLease).build();
    }

    @Override
    int run(Clients clients) throws Exception {
      if (value == null && !ignoreValue) {
        value = new String(root().in().readAllBytes(), StandardCharsets.UTF_8);
      }
      PutResponse r = clients.kv().put(toRequest());
      out().print("json".equals(writeOut) ? Json.of(r) + "\n" : Printer.put(r));
      return 0;
    }
  }

  @Command(name = "get", description = "Gets the key or a range of keys.")
  public static final class Get extends ClientCommand {
    @Parameters(index = "0", paramLabel = "key") String key;
    @Parameters(index = "1", paramLabel = "range_end", arity = "0..1") String rangeEnd;
    @Option(names = "--prefix", description = "Get keys with this prefix.") boolean prefix;
    @Option(names = "--from-key", description = "Get keys >= key.") boolean fromKey;
    @Option(names = "--rev", defaultValue = "0", description = "Read at this revision.")
    long rev;
    @Option(names = "--limit", defaultValue = "0", description = "At most this many keys.")
    long limit;
    @Option(names = "--keys-only", description = "Keys without values.") boolean keysOnly;
    @Option(names = "--count-only", description = "Only the count (json shows it).")
    boolean countOnly;
    @Option(names = "--print-value-only", description = "Values without keys.")
    boolean valueOnly;
    @Option(names = "--consistency", defaultValue = "l",
        description = "l (linearizable) or s (serializable).") String consistency;
    @Option(names = "--sort-by", defaultValue = "",
        description = "CREATE, KEY, MODIFY, VALUE or VERSION.") String sortBy;
    @Option(names = "--order", defaultValue = "", description = "ASCEND or DESCEND.")
    String order;
    @Option(names = {"-w", "--write-out"}, defaultValue = "simple",
        description = "simple or json.") String writeOut;

    RangeRequest toRequest() {
      if (prefix && fromKey) {
        throw new Clients.Failure("`--prefix` and `--from-key` cannot be set at the same time");
      }
      if (!consistency.equals("l") && !consistency.equals("s")) {
        throw new Clients.Failure("unknown consistency flag '" + consistency + "'");
      }
      RangeRequest.Builder b = RangeRequest.newBuilder().setKey(bytes(key)).setRevision(rev)
          .setLimit(limit).setKeysOnly(keysOnly).setCountOnly(countOnly)
          .setSerializable(consistency.equals("s"));
      setSort(b);
      if (prefix) {
        b.setRangeEnd(prefixEnd(bytes(key)));
      } else if (fromKey) {
        b.setRangeEnd(ByteString.copyFrom(new byte[] {0}));
      } else if (rangeEnd != null) {
        b.setRangeEnd(bytes(rangeEnd));
      }
      return b.build();
    }

    /**
     * As etcdctl: the target defaults to KEY, and KEY ascending is sent as no sort at all, since
     * the server returns keys in that order anyway (and a sort makes it read the whole range).
     */
    private void setSort(RangeRequest.Builder b) {
      RangeRequest.SortOrder o = switch (order.toUpperCase(java.util.Locale.ROOT)) {
        case "" -> RangeRequest.SortOrder.NONE;
        case "ASCEND" -> RangeRequest.SortOrder.ASCEND;
        case "DESCEND" -> RangeRequest.SortOrder.DESCEND;
        default -> throw new Clients.Failure("bad sort order " + order);
      };
      RangeRequest.SortTarget t = switch (sortBy.toUpperCase(java.util.Locale.ROOT)) {
        case "", "KEY" -> RangeRequest.SortTarget.KEY;
        case "CREATE" -> RangeRequest.SortTarget.CREATE;
        case "MODIFY" -> RangeRequest.SortTarget.MOD;
        case "VALUE" -> RangeRequest.SortTarget.VALUE;
        case "VERSION" -> RangeRequest.SortTarget.VERSION;
        default -> throw new Clients.Failure("bad sort target " + sortBy);
      };
      if (t == RangeRequest.SortTarget.KEY && o == RangeRequest.SortOrder.ASCEND) {
        o = RangeRequest.SortOrder.NONE;
      }
      b.setSortTarget(t).setSortOrder(o);
    }

    @Override
    int run(Clients clients) {
      RangeResponse r = clients.kv().range(toRequest());
      out().print("json".equals(writeOut) ? Json.of(r) + "\n" : Printer.get(r, valueOnly));
      return 0;
    }
  }

  @Command(name = "del", description = "Removes the key or a range of keys.")
  public static final class Del extends ClientCommand {
    @Parameters(index = "0", paramLabel = "key") String key;
    @Parameters(index = "1", paramLabel = "range_end", arity = "0..1") String rangeEnd;
    @Option(names = "--prefix", description = "Delete keys with this prefix.") boolean prefix;
    @Option(names = "--from-key", description = "Delete keys >= key.") boolean fromKey;
    @Option(names = "--prev-kv", description = "Print the deleted key-values.")
    boolean prevKv;
    @Option(names = {"-w", "--write-out"}, defaultValue = "simple",
        description = "simple or json.") String writeOut;

    DeleteRangeRequest toRequest() {
      DeleteRangeRequest.Builder b =
          DeleteRangeRequest.newBuilder().setKey(bytes(key)).setPrevKv(prevKv);
      if (prefix) {
        b.setRangeEnd(prefixEnd(bytes(key)));
      } else if (fromKey) {
        b.setRangeEnd(ByteString.copyFrom(new byte[] {0}));
      } else if (rangeEnd != null) {
        b.setRangeEnd(bytes(rangeEnd));
      }
      return b.build();
    }

    @Override
    int run(Clients clients) {
      DeleteRangeResponse r = clients.kv().deleteRange(toRequest());
      out().print("json".equals(writeOut) ? Json.of(r) + "\n" : Printer.del(r));
      return 0;
    }
  }

  @Command(name = "compaction", description = "Discards history before the given revision.")
  public static final class Compaction extends ClientCommand {
    @Parameters(index = "0", paramLabel = "revision") long revision;
    @Option(names = "--physical", description = "Wait until the space is freed.")
    boolean physical;

    @Override
    int run(Clients clients) {
      clients.kv().compact(CompactionRequest.newBuilder().setRevision(revision)
          .setPhysical(physical).build());
      out().println("compacted revision " + revision);
      return 0;
    }
  }
}
