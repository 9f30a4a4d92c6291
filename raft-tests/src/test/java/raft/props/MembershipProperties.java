package raft.props;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import raft.sim.SimConfig;
import raft.sim.SimConfig.Fault;
import raft.sim.SimResult;

/**
 * Thesis chapter 4 on the seeded simulator: the membership changes during the run
 * ({@code --faults members}: learners added with an empty log and promoted once caught up,
 * members removed, the leader among them, members replaced by fresh ids, some changes made as
 * one joint change; removed members keep running for a while and may campaign), mixed with a
 * generated subset of crashes, partitions and drops. Every safety property is checked after
 * every step, with the configuration in force: Election Safety, Leader Append-Only, Log
 * Matching, Leader Completeness, State Machine Safety, linearizable reads, DurableBeforeReply,
 * CommittedOnQuorum (a commit is durable on a majority of each half of the configuration the
 * leader counts with) and MembershipAgreement (one configuration per log prefix, in every core
 * and every state machine). After healing, with a minority of the configuration in force left
 * down, a new proposal must commit within 10 election timeouts.
 *
 * <p>A failure prints the replay command ({@code scripts/simulate ... --faults members,... --vary
 * --trace}); jqwik prints its own seed.
 */
class MembershipProperties {
  /** Shorter than {@link Sims#TICKS}: a membership run has up to 7 voters and 2 learners. */
  static final int TICKS = 1200;

  @Provide
  Arbitrary<Set<Fault>> otherFaults() {
    return Arbitraries.of(Fault.CRASH, Fault.PARTITION, Fault.DROP).set()
        .map(s -> s.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(s));
  }

  @Provide
  Arbitrary<Long> seeds() {
    return Arbitraries.longs().between(1, Long.MAX_VALUE / 2);
  }

  /** A run of {@link #TICKS} with membership changes and {@code others}, tuned by the seed. */
  static SimConfig schedule(int voters, long seed, Set<Fault> others, int down) {
    EnumSet<Fault> faults = EnumSet.of(Fault.MEMBERS);
    faults.addAll(others);
    SimConfig c = Sims.schedule(voters, seed, faults);
    c.ticks = TICKS;
    c.downAfterHeal = Math.min(down, (voters - 1) / 2);
    return c;
  }

  @Property(edgeCases = EdgeCasesMode.NONE)
  @Label("thesis ch. 4: from 3 founding voters, with the membership changing amid crashes,"
      + " partitions and drops, every safety property holds at every step, and after healing"
      + " a new proposal commits within 10 election timeouts")
  void threeFoundingVoters(@ForAll("otherFaults") Set<Fault> others, @ForAll("seeds") long seed,
      @ForAll @IntRange(min = 0, max = 1) int down) {
    holds(schedule(3, seed, others, down));
  }

  @Property(edgeCases = EdgeCasesMode.NONE)
  @Label("thesis ch. 4: from 5 founding voters, with the membership changing amid crashes,"
      + " partitions and drops, every safety property holds at every step, and after healing"
      + " a new proposal commits within 10 election timeouts")
  void fiveFoundingVoters(@ForAll("otherFaults") Set<Fault> others, @ForAll("seeds") long seed,
      @ForAll @IntRange(min = 0, max = 2) int down) {
    holds(schedule(5, seed, others, down));
  }

  /** Every property, liveness after healing, and (over all tries) that changes did commit. */
  static SimResult holds(SimConfig c) {
    SimResult r = Sims.run(c);
    assertTrue(r.safe(), r::report);
    long bound = 10L * c.electionTick;
    assertTrue(r.stats().recoveryTicks >= 0 && r.stats().recoveryTicks <= bound,
        () -> "no commit within " + bound + " ticks after healing (took "
            + r.stats().recoveryTicks + ")\n" + r.report());
    long changes = r.configurations() - 1;
    Statistics.label("configurations committed after the founding one")
        .collect(changes == 0 ? "0" : changes < 5 ? "1-4" : changes < 10 ? "5-9" : "10+");
    Statistics.label("refused changes").collect(r.stats().confChangesRefused > 0);
    Statistics.label("configurations committed after the founding one").coverage(cov ->
        cov.check("0").percentage(p -> p < 20));
    return r;
  }
}
