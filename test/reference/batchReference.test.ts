/**
 * Hand-computed cases for the reference oracle. Every expected start time was
 * worked out on paper; the timeline is in the comment above each case.
 * Notation: "free" = free processors; "S" = shadow time; "extra" = extra processors;
 * predEnd = start + walltime (what the scheduler believes); end = start + min(runtime, walltime).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { referenceConservative, referenceEasy, referenceFcfs, type RefJob } from "./batchReference.js";

function job(id: number, submit: number, runtime: number, walltime: number, procs: number): RefJob {
  return { id, submit, runtime, walltime, procs };
}

function asObject(m: Map<number, number>): Record<number, number> {
  return Object.fromEntries([...m.entries()].sort((a, b) => a[0] - b[0]));
}

describe("reference FCFS / EASY, hand-computed", () => {
  // (1) FCFS with a blocked head. Machine 4.
  //   t=0  A(p3) starts, free 1.
  //   t=1  B(p2) arrives: 2 > 1, blocked.
  //   t=2  C(p1) arrives: it would fit in 1, but FCFS stops at blocked head B.
  //   t=10 A ends, free 4: B starts (free 2), then C starts (free 1).
  // Under EASY, C (walltime 2) backfills at t=2: 2+2 = 4 <= S = 10.
  it("(1) FCFS: a blocked head blocks everyone behind it", () => {
    const jobs = [job(1, 0, 10, 10, 3), job(2, 1, 5, 5, 2), job(3, 2, 2, 2, 1)];
    expect(asObject(referenceFcfs(jobs, 4))).toEqual({ 1: 0, 2: 10, 3: 10 });
    expect(asObject(referenceEasy(jobs, 4))).toEqual({ 1: 0, 2: 10, 3: 2 });
  });

  // (2) EASY, short job backfills before the shadow time. Machine 4.
  //   t=0  A(p3, wt 10) starts, free 1.
  //   t=1  B(p4) arrives, blocked. S: A predEnd 10, 1+3 = 4 >= 4 -> S = 10; extra = 4-4 = 0.
  //   t=2  C(p1, wt 8, rt 2) arrives. B still blocked, S = 10, extra = 0.
  //        C fits (1 <= 1) and 2+8 = 10 <= 10 (boundary is inclusive) -> starts at 2.
  //        It cannot be the extra-processor rule: extra is 0.
  //   t=4  C ends, free 1. B blocked.
  //   t=10 A ends, free 4, B starts.
  // Variant: C with walltime 9: 2+9 = 11 > 10 and 1 > extra 0 -> waits.
  //   t=10 B starts (free 0), C blocked; B ends at 10+5 = 15 -> C starts at 15.
  it("(2) EASY: a short job backfills if it ends by the shadow time", () => {
    const jobs = [job(1, 0, 10, 10, 3), job(2, 1, 5, 5, 4), job(3, 2, 2, 8, 1)];
    expect(asObject(referenceEasy(jobs, 4))).toEqual({ 1: 0, 2: 10, 3: 2 });
    const tooLong = [job(1, 0, 10, 10, 3), job(2, 1, 5, 5, 4), job(3, 2, 2, 9, 1)];
    expect(asObject(referenceEasy(tooLong, 4))).toEqual({ 1: 0, 2: 10, 3: 15 });
  });

  // (3) EASY, a long job backfills on extra processors; extra is then used up. Machine 10.
  //   t=0   A(p4, wt 100) starts, free 6.
  //   t=1   B(p8, wt 10) arrives: blocked. S: A 100, 6+4 = 10 >= 8 -> S = 100; extra = 10-8 = 2.
  //   t=2   C(p2, wt 500) and D(p2, wt 500) arrive. S = 100, extra = 2.
  //         C: fits 2 <= 6; 2+500 > 100 but 2 <= extra 2 -> starts; extra 0, free 4.
  //         D: fits 2 <= 4; 2+500 > 100 and 2 > extra 0 -> waits.
  //   t=100 A ends, free 8: B(p8) starts (C's 2 were truly extra), free 0.
  //         D blocked. S: B predEnd 110, 0+8 >= 2 -> S = 110.
  //   t=110 B ends, free 8, D starts.
  it("(3) EASY: a long job backfills on extra processors, which it uses up", () => {
    const jobs = [job(1, 0, 100, 100, 4), job(2, 1, 10, 10, 8), job(3, 2, 500, 500, 2), job(4, 2, 500, 500, 2)];
    expect(asObject(referenceEasy(jobs, 10))).toEqual({ 1: 0, 2: 100, 3: 2, 4: 110 });
  });

  // (4) EASY, a long job must NOT backfill (it would delay the head). Machine 10.
  //   t=0   A(p4, wt 100) starts, free 6.
  //   t=1   B(p8) blocked; S = 100, extra = 2 (as in case 3).
  //   t=2   C(p3, wt 500): fits 3 <= 6, but 502 > 100 and 3 > extra 2 -> waits.
  //         D(p3, wt 50): the scan goes on past C; fits 3 <= 6, 2+50 = 52 <= 100 -> starts, free 3.
  //   t=52  D ends, free 6. B blocked, S = 100, extra 2; C still may not start.
  //   t=100 A ends, free 10: B starts (free 2); C(p3) blocked. S: B predEnd 110 -> 110.
  //   t=110 B ends, free 10, C starts.
  // Had C started at 2, only 10-3 = 7 processors would be free at 100 and B would be delayed.
  it("(4) EASY: a long job that would delay the head does not backfill", () => {
    const jobs = [job(1, 0, 100, 100, 4), job(2, 1, 10, 10, 8), job(3, 2, 500, 500, 3), job(4, 2, 50, 50, 3)];
    expect(asObject(referenceEasy(jobs, 10))).toEqual({ 1: 0, 2: 100, 3: 110, 4: 2 });
  });

  // (5) Tie: two running jobs predicted to end exactly at the shadow time both count. Machine 10.
  //   t=0   A(p3, wt 100) and B(p3, wt 100) start, free 4.
  //   t=1   C(p6) blocked. Walk by predEnd: A 100, 4+3 = 7 >= 6 -> S = 100.
  //         Free at S counts A AND B (both predEnd 100): 4+3+3 = 10 -> extra = 10-6 = 4.
  //         (Counting only A, as the walk stopped there, would give extra = 1.)
  //   t=2   D(p4, wt 500): fits 4 <= 4, 502 > 100, 4 <= extra 4 -> starts.
  //         With the wrong extra of 1, D would wait until C ended (t=110).
  //   t=100 A and B end, free 6, C starts.
  it("(5) EASY: all jobs predicted to end exactly at the shadow time count for extra", () => {
    const jobs = [job(1, 0, 100, 100, 3), job(2, 0, 100, 100, 3), job(3, 1, 10, 10, 6), job(4, 2, 500, 500, 4)];
    expect(asObject(referenceEasy(jobs, 10))).toEqual({ 1: 0, 2: 0, 3: 100, 4: 2 });
  });

  // (6) A job running past its walltime is killed there. Machine 4.
  //   t=0  A(p4, runtime 100, walltime 30) starts; end = 0 + min(100, 30) = 30.
  //   t=1  B(p4) blocked.
  //   t=30 A killed, free 4, B starts (not at 100).
  it("(6) a job killed at its walltime frees its processors at the walltime", () => {
    const jobs = [job(1, 0, 100, 30, 4), job(2, 1, 10, 10, 4)];
    expect(asObject(referenceFcfs(jobs, 4))).toEqual({ 1: 0, 2: 30 });
    expect(asObject(referenceEasy(jobs, 4))).toEqual({ 1: 0, 2: 30 });
  });

  // (7) Simultaneous submission and completion: both processed, then ONE pass. Machine 6.
  //   t=0  X(p2, wt 100) and A(p2, rt 10, wt 50) start, free 2.
  //   t=1  H(p4, wt 10) blocked. S: A predEnd 50, 2+2 = 4 >= 4 -> S = 50; extra 0.
  //   t=10 A completes AND N(p2, rt 40, wt 40) arrives. Process both, then one pass:
  //        free 4, H fits -> starts (free 0). N(p2) is the new head, blocked.
  //        S: H predEnd 20, 0+4 >= 2 -> S = 20.
  //   t=20 H ends, free 4, N starts.
  // Wrong order (a pass after the submission but before the completion): free 2,
  // H blocked, S = 50 (A predicted to run until 50), N: 2 <= 2 and 10+40 = 50 <= 50
  // -> N backfills at 10, then after A's completion free is 2 < 4 and H waits until N ends at 50.
  it("(7) a completion and a submission at the same instant are both seen by one pass", () => {
    const jobs = [job(1, 0, 100, 100, 2), job(2, 0, 10, 50, 2), job(3, 1, 10, 10, 4), job(4, 10, 40, 40, 2)];
    expect(asObject(referenceEasy(jobs, 6))).toEqual({ 1: 0, 2: 0, 3: 10, 4: 20 });
  });

  // (8) The shadow time uses the PREDICTED end (walltime), not the actual end. Machine 4.
  //   t=0  A(p2, rt 10, wt 100) starts, free 2.
  //   t=1  H(p4) blocked. S: A predEnd 100 -> S = 100; extra 0.
  //   t=2  B(p2, wt 30): fits, 2+30 = 32 <= 100 -> starts (free 0). A scheduler that
  //        knew A really ends at 10 would have S = 10 and refuse B.
  //   t=10 A ends, free 2. H blocked; S: B predEnd 32 -> 32.
  //   t=32 B ends, free 4, H starts.
  it("(8) EASY: reservations use predicted ends, not actual ends", () => {
    const jobs = [job(1, 0, 10, 100, 2), job(2, 1, 10, 10, 4), job(3, 2, 30, 30, 2)];
    expect(asObject(referenceEasy(jobs, 4))).toEqual({ 1: 0, 2: 32, 3: 2 });
  });

  // (9) Queue order is submit time, then input order, whatever the array order.
  //   Machine 2, all p2. Input: C(submit 5), A(submit 0), B(submit 0).
  //   Order: A, B (input order among submit 0), C.  A 0-10, B 10-20, C 20.
  it("(9) queue order: submit time, then input order", () => {
    const jobs = [job(3, 5, 10, 10, 2), job(1, 0, 10, 10, 2), job(2, 0, 10, 10, 2)];
    expect(asObject(referenceFcfs(jobs, 2))).toEqual({ 1: 0, 2: 10, 3: 20 });
    expect(asObject(referenceEasy(jobs, 2))).toEqual({ 1: 0, 2: 10, 3: 20 });
  });

  it("rejects inputs the semantics do not cover", () => {
    expect(() => referenceFcfs([job(1, 0, 10, 10, 5)], 4)).toThrow(RangeError);
    expect(() => referenceEasy([job(1, 0, 0, 10, 1)], 4)).toThrow(RangeError);
    expect(() => referenceEasy([job(1, 0, 10, 10, 1), job(1, 1, 10, 10, 1)], 4)).toThrow(RangeError);
  });
});

describe("reference FCFS / EASY, invariants on random workloads", () => {
  const MACHINE = 8;
  const workload = fc
    .array(
      fc.record({
        submit: fc.integer({ min: 0, max: 50 }),
        runtime: fc.integer({ min: 1, max: 30 }),
        walltime: fc.integer({ min: 1, max: 40 }),
        procs: fc.integer({ min: 1, max: MACHINE }),
      }),
      { maxLength: 40 },
    )
    .map((rows) => rows.map((r, i) => ({ id: i + 1, ...r })));

  /** Every job starts, not before its submit, and processors in use never exceed the machine. */
  function checkFeasible(jobs: RefJob[], starts: Map<number, number>): void {
    expect(starts.size).toBe(jobs.length);
    const deltas: [number, number][] = [];
    for (const j of jobs) {
      const s = starts.get(j.id)!;
      expect(s).toBeGreaterThanOrEqual(j.submit);
      deltas.push([s, j.procs], [s + Math.min(j.runtime, j.walltime), -j.procs]);
    }
    // Releases before acquisitions at the same instant.
    deltas.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let used = 0;
    for (const [, d] of deltas) {
      used += d;
      expect(used).toBeLessThanOrEqual(MACHINE);
    }
  }

  it("schedules are feasible; FCFS starts jobs in queue order", () => {
    fc.assert(
      fc.property(workload, (jobs) => {
        const fcfs = referenceFcfs(jobs, MACHINE);
        checkFeasible(jobs, fcfs);
        checkFeasible(jobs, referenceEasy(jobs, MACHINE));
        const order = jobs.slice().sort((a, b) => a.submit - b.submit || a.id - b.id);
        for (let i = 1; i < order.length; i++) {
          expect(fcfs.get(order[i].id)!).toBeGreaterThanOrEqual(fcfs.get(order[i - 1].id)!);
        }
      }),
    );
  });

  it("EASY equals FCFS when every job needs the whole machine (nothing can backfill)", () => {
    fc.assert(
      fc.property(workload, (jobs) => {
        const whole = jobs.map((j) => ({ ...j, procs: MACHINE }));
        expect(referenceEasy(whole, MACHINE)).toEqual(referenceFcfs(whole, MACHINE));
      }),
    );
  });
});

describe("reference conservative backfilling, hand-computed", () => {
  // (c1) Conservative protects every queued job, EASY only the head. Machine 4.
  //   t=0 A(p3, wt 10) starts, free 1.
  //   t=1 B(p2, wt 10), C(p2, wt 10), D(p1, wt 100) arrive.
  //   EASY: head B blocked (2 > 1); S = 10 (1 + 3 = 4 >= 2), extra = 2. C does not fit now (2 > 1).
  //         D fits (1 <= 1), ends 101 > 10, 1 <= extra 2: starts at 1. At 10 A ends: free 3, B starts
  //         (free 1), C waits (2 > 1) until B ends at 20.      -> A 0, B 10, C 20, D 1.
  //   Conservative: B reserves [10, 20); C: at 1 only 1 free; at 10, 4 - 2 (B) = 2 free -> [10, 20).
  //         D: at 1 one is free, but at 10 B and C take all 4: 0 < 1. Next free instant: 20.
  //                                                          -> A 0, B 10, C 10, D 20.
  it("(c1) conservative: a backfill may not delay any earlier job; EASY's may delay all but the head", () => {
    const jobs = [job(1, 0, 10, 10, 3), job(2, 1, 10, 10, 2), job(3, 1, 10, 10, 2), job(4, 1, 100, 100, 1)];
    expect(asObject(referenceEasy(jobs, 4))).toEqual({ 1: 0, 2: 10, 3: 20, 4: 1 });
    expect(asObject(referenceConservative(jobs, 4))).toEqual({ 1: 0, 2: 10, 3: 10, 4: 20 });
  });

  // (c2) Reservations are made afresh each pass, so they move up when a job ends early. Machine 4.
  //   t=0 A(p4, wt 100, rt 10) starts. t=1 B(p4, wt 10) reserves [100, 110).
  //   t=10 A ends (killed? no: it ran 10 of its 100): the pass at 10 gives B a start at 10.
  //   t=2 C(p2, wt 5) arrives: at 2 nothing is free; it reserves [110, 115) behind B... until the pass at 10:
  //   B [10, 20) starts; C: 0 free until 20 -> starts at 20.
  it("(c2) conservative: reservations move up when a job ends before its walltime", () => {
    const jobs = [job(1, 0, 10, 100, 4), job(2, 1, 10, 10, 4), job(3, 2, 5, 5, 2)];
    expect(asObject(referenceConservative(jobs, 4))).toEqual({ 1: 0, 2: 10, 3: 20 });
  });

  // (c3) A short job fills a hole before the first reservation without delaying it. Machine 4.
  //   t=0 A(p2, wt 10) starts, free 2. t=1 B(p4, wt 10) reserves [10, 20); C(p2, wt 9): at 1, 2 free
  //   through [1, 10) (B starts at 10 = 1 + 9: the window [1, 10) ends as B begins) -> starts at 1.
  //   With wt 10, C would hold a processor at 10: it goes after B, at 20.
  it("(c3) conservative: a job ending exactly when a reservation begins fits before it", () => {
    expect(asObject(referenceConservative([job(1, 0, 10, 10, 2), job(2, 1, 10, 10, 4), job(3, 1, 9, 9, 2)], 4))).toEqual({ 1: 0, 2: 10, 3: 1 });
    expect(asObject(referenceConservative([job(1, 0, 10, 10, 2), job(2, 1, 10, 10, 4), job(3, 1, 10, 10, 2)], 4))).toEqual({ 1: 0, 2: 10, 3: 20 });
  });

  it("property: conservative starts every job once, after its submission, never over the machine", () => {
    const jobs = fc.array(fc.record({ gap: fc.integer({ min: 0, max: 20 }), runtime: fc.integer({ min: 1, max: 50 }), extra: fc.integer({ min: 0, max: 30 }), procs: fc.integer({ min: 1, max: 8 }) }), { minLength: 1, maxLength: 25 });
    fc.assert(
      fc.property(jobs, (rows) => {
        let t = 0;
        const js = rows.map((r, i) => job(i + 1, (t += r.gap), r.runtime, r.runtime + r.extra, r.procs));
        const c = referenceConservative(js, 8);
        expect(c.size).toBe(js.length);
        for (const j of js) expect(c.get(j.id)!).toBeGreaterThanOrEqual(j.submit);
        // Processors in use, swept over starts and ends (ends first at equal times), never above 8.
        const edges = js.flatMap((j) => [[c.get(j.id)!, 1, j.procs], [c.get(j.id)! + Math.min(j.runtime, j.walltime), 0, -j.procs]]);
        edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        let used = 0;
        for (const [, , d] of edges) expect((used += d)).toBeLessThanOrEqual(8);
      }),
      { numRuns: 200 },
    );
  });
});
