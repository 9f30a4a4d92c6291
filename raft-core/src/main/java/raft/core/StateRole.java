package raft.core;

/** The roles of §5.1, plus the pre-candidate of PreVote (thesis §9.6). */
public enum StateRole { FOLLOWER, PRE_CANDIDATE, CANDIDATE, LEADER }
