package raft.log;

/**
 * The fast-backtracking hint of a rejected append (thesis §5.3 optimisation, as in etcd): the
 * largest {@code index} at or below the rejected one whose {@code term} is at or below the
 * leader's, with that term (0 if it was compacted away and is unknown). A follower sends it in
 * its rejection (rejectHint, logTerm); the leader looks it up in its own log to skip a whole term
 * of mismatching entries per round trip.
 */
public record ConflictHint(long index, long term) {}
