package raft.kv.cluster;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.client.Clients;

/**
 * The page's buttons: each {@code POST /api/<verb>} runs the very scripts/cluster verb a user
 * would type (picocli, in this process, with the view's --data and --port-offset) and answers
 * its output; put goes through the client API like {@code etcdctl put}. One action at a time,
 * in order, on a thread of its own (they block for seconds: a restart waits for the member);
 * at most {@link #QUEUE} wait, beyond that the page is told the view is busy.
 */
final class ViewActions implements AutoCloseable {
  static final int QUEUE = 4;
  /** The verbs aimed at one member, as {@code scripts/cluster VERB nK}. */
  private static final List<String> ONE_MEMBER = List.of("kill", "restart", "pause", "resume",
      "transfer", "add", "remove");
  private static final Map<String, String> KIND = Map.of("add", "member", "remove", "member");

  private final Path dir;
  private final int portOffset;
  private final ViewTimeline timeline;
  private final ClusterLayout layout;
  private final Gson gson = new GsonBuilder().disableHtmlEscaping().create();
  private final ThreadPoolExecutor worker = new ThreadPoolExecutor(1, 1, 0,
      TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> new Thread(r, "view-action"));

  ViewActions(ClusterLayout layout, ViewTimeline timeline) {
    this.layout = layout;
    this.dir = layout.dir();
    this.portOffset = layout.portOffset();
    this.timeline = timeline;
  }

  /** Runs {@code verb} with the JSON body's arguments; completes with the JSON answer. */
  CompletableFuture<String> submit(String verb, String body) {
    JsonObject args;
    try {
      JsonElement e = body.isBlank() ? new JsonObject() : JsonParser.parseString(body);
      args = e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
    } catch (RuntimeException bad) {
      return CompletableFuture.completedFuture(answer(false, "error", "bad JSON: "
          + bad.getMessage()));
    }
    try {
      return CompletableFuture.supplyAsync(() -> run(verb, args), worker);
    } catch (RejectedExecutionException busy) {
      return CompletableFuture.completedFuture(answer(false, "error", "busy: " + QUEUE
          + " actions are waiting already"));
    }
  }

  private String run(String verb, JsonObject args) {
    try {
      if (verb.equals("put")) {
        String out = put(text(args, "key"), text(args, "value"));
        timeline.add(ViewPoller.now(), "", "put", "put " + text(args, "key") + " = "
            + text(args, "value") + ": " + out);
        return answer(true, "output", out);
      }
      List<String> argv = argv(verb, args);
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = commandLine(out, err).execute(argv.toArray(String[]::new));
      String said = (out + (code == 0 ? "" : err.toString())).strip();
      String member = args.has("member") ? text(args, "member") : "";
      timeline.add(ViewPoller.now(), member, KIND.getOrDefault(verb, verb),
          String.join(" ", argv.subList(0, argv.size() - 4)) + " (from the page): "
          + firstLine(said));
      return code == 0 ? answer(true, "output", said) : answer(false, "error", said);
    } catch (RuntimeException e) {
      return answer(false, "error", Clients.errorMessage(e));
    }
  }

  /** scripts/cluster's arguments for a page action, with this view's cluster. */
  List<String> argv(String verb, JsonObject args) {
    List<String> argv = new ArrayList<>(List.of(verb));
    if (ONE_MEMBER.contains(verb)) {
      argv.add(node(text(args, "member")));
    } else if (verb.equals("partition")) {
      List<String> side = new ArrayList<>();
      JsonArray ms = args.has("members") && args.get("members").isJsonArray()
          ? args.getAsJsonArray("members") : new JsonArray();
      ms.forEach(m -> side.add(node(m.getAsString())));
      argv.add(String.join(",", side));
    } else if (!verb.equals("heal")) {
      throw new Clients.Failure("unknown action " + verb);
    }
    argv.addAll(List.of("--data", dir.toString(), "--port-offset", Integer.toString(portOffset)));
    return argv;
  }

  private static String node(String name) {
    if (!name.matches("n[1-9]")) {
      throw new Clients.Failure("unknown node '" + name + "' (nodes are n1..n5)");
    }
    return name;
  }

  private static String text(JsonObject args, String field) {
    JsonElement e = args.get(field);
    return e == null || e.isJsonNull() ? "" : e.getAsString();
  }

  /** The cluster command as scripts/cluster runs it: one-line errors, output captured. */
  static CommandLine commandLine(StringWriter out, StringWriter err) {
    CommandLine cl = new CommandLine(new ClusterCommand());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("Error: " + Clients.errorMessage(e));
      return 1;
    });
    return cl;
  }

  /** A put through the client API, to the first live member that takes it. */
  private String put(String key, String value) {
    if (key.isEmpty()) {
      throw new Clients.Failure("put needs a key");
    }
    NodeProcesses procs = new NodeProcesses(layout);
    RuntimeException last = new Clients.Failure("no member is up");
    for (int k = 1; k <= ClusterLayout.MAX_NODES; k++) {
      if (procs.state(k) != NodeProcesses.State.UP) {
        continue;
      }
      ManagedChannel ch = new ClusterTls(layout).dial(k);
      try {
        KVGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS).put(PutRequest
            .newBuilder().setKey(ByteString.copyFromUtf8(key))
            .setValue(ByteString.copyFromUtf8(value)).build());
        return "OK";
      } catch (RuntimeException e) {
        last = e;
      } finally {
        ch.shutdownNow();
      }
    }
    throw last;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private String answer(boolean ok, String field, String text) {
    JsonObject o = new JsonObject();
    o.addProperty("ok", ok);
    o.addProperty(field, text);
    return gson.toJson(o);
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
