package raft.kv.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The launcher's record of which nodes are members and how each was first started, in
 * {@code dir/members.properties}. A member's flags are kept because a restart must repeat them:
 * a node that joined with {@code --initial-cluster-state existing} and the membership of its day
 * must not come back claiming to found a new cluster. Start writes n1..nN with state "new";
 * add and remove change it; a directory from before membership changes has no file and reads as
 * the start's members. The cluster itself is the authority on membership (MemberList); this
 * file only says which processes the launcher owns and how to start them.
 */
final class Members {
  static final String FILE = "members.properties";

  private final ClusterLayout layout;
  private final Properties props;

  private Members(ClusterLayout layout, Properties props) {
    this.layout = layout;
    this.props = props;
  }

  static Members load(ClusterLayout l) throws IOException {
    Path f = l.dir().resolve(FILE);
    Properties p = new Properties();
    if (Files.isRegularFile(f)) {
      try (Reader r = Files.newBufferedReader(f)) {
        p.load(r);
      }
      return new Members(l, p);
    }
    Members m = new Members(l, p);
    for (int k = 1; k <= l.nodes(); k++) {
      m.put(k, l.initialCluster(), "new");
    }
    return m;
  }

  void save() throws IOException {
    Files.createDirectories(layout.dir());
    try (Writer w = Files.newBufferedWriter(layout.dir().resolve(FILE))) {
      props.store(w, "written by scripts/cluster start/add/remove: the members it runs and"
          + " the flags each was first started with");
    }
  }

  /** The members, n1 first. */
  List<Integer> ks() {
    List<Integer> ks = new ArrayList<>();
    for (String k : props.getProperty("members", "").split(",")) {
      if (!k.isBlank()) {
        ks.add(Integer.parseInt(k.trim().substring(1)));
      }
    }
    return ks;
  }

  boolean contains(int k) {
    return ks().contains(k);
  }

  /** Records node k as a member started with this --initial-cluster and state. */
  void put(int k, String initialCluster, String state) {
    TreeSet<Integer> ks = new TreeSet<>(ks());
    ks.add(k);
    props.setProperty("members", String.join(",", ks.stream().map(ClusterLayout::name)
        .toList()));
    props.setProperty(ClusterLayout.name(k) + ".initial-cluster", initialCluster);
    props.setProperty(ClusterLayout.name(k) + ".initial-cluster-state", state);
  }

  void remove(int k) {
    TreeSet<Integer> ks = new TreeSet<>(ks());
    ks.remove(k);
    props.setProperty("members", String.join(",", ks.stream().map(ClusterLayout::name)
        .toList()));
    props.remove(ClusterLayout.name(k) + ".initial-cluster");
    props.remove(ClusterLayout.name(k) + ".initial-cluster-state");
  }

  /** The --initial-cluster node k was first started with. */
  String initialCluster(int k) {
    return props.getProperty(ClusterLayout.name(k) + ".initial-cluster", layout.initialCluster());
  }

  /** "new" (founded the cluster) or "existing" (joined it through add). */
  String state(int k) {
    return props.getProperty(ClusterLayout.name(k) + ".initial-cluster-state", "new");
  }
}
