package raft.jepsen.report;

import java.util.List;
import raft.jepsen.history.Op;

/** A key the checker could not linearize: the ops it could not place, and why. */
public record KeyProblem(String key, List<Op> unplaceable, String explanation) {}
