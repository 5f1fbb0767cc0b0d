/**
 * Availability: the free-capacity profile of pools (free cores and idle nodes).
 * Hand-worked cases on small views, and a property test against a brute-force
 * search of the profile. Most cases use one-core nodes, where a job's cores
 * are its nodes and a need in cores equals one in whole nodes (the schedules of
 * whole-node allocation); one case has shared 8-core nodes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Availability } from "../../../src/planner/availability.js";
import type { PoolNeed } from "../../../src/planner/resources.js";
import type { ClusterView, PoolView, QueuedJobView, RunningJobView } from "../../../src/planner/view.js";
import { clusterView, poolView, queuedJob, runningJob } from "../../helpers/views.js";

/** Pool `index` of one-core nodes, its node ids from 100 x index (so pools never share ids). */
function pool(index: number, nodes: number, free: number, extra: Partial<PoolView> = {}): PoolView {
  return poolView({ index, firstNode: 100 * index, nodes, freeNodes: free, coresPerNode: 1, ...extra });
}

/** A job on `nodes` one-core nodes of pool p: node ids from 100 x p + `first` (default 0), one core on each. */
function running(id: number, p: number, nodes: number, start: number, predictedEnd: number, first = 0): RunningJobView {
  const ids = Array.from({ length: nodes }, (_, k) => 100 * p + first + k);
  return runningJob({ id, pool: p, cores: nodes, nodes: ids, start, predictedEnd });
}

/** A need of `n` cores for a job that shares nodes. */
function cores(n: number): PoolNeed {
  return { cores: n, wholeNodes: 0 };
}

function queued(id: number, cores: number, walltime: number): QueuedJobView {
  return queuedJob({ id, cores, walltime });
}

function view(now: number, pools: PoolView[], run: RunningJobView[] = [], queue: QueuedJobView[] = []): ClusterView {
  return clusterView({ now, sites: [], pools, queue, running: run });
}

describe("Availability", () => {
  it("on an idle pool a job starts now", () => {
    const a = Availability.fromView(view(5, [pool(0, 4, 4)]));
    expect(a.earliest(0, cores(4), 100)).toBe(5);
    expect(a.earliest(0, cores(5), 100)).toBe(Infinity);
    expect(a.earliest(0, { cores: 4, wholeNodes: 4 }, 100)).toBe(5);
    expect(a.earliest(0, { cores: 5, wholeNodes: 5 }, 100)).toBe(Infinity);
  });

  it("running jobs free their nodes at start + ratio x (predicted end - start), never before now", () => {
    // 3 of 4 nodes held from 0 to 200; now 10; 2 nodes needed.
    const v = view(10, [pool(0, 4, 1)], [running(1, 0, 3, 0, 200)]);
    expect(Availability.fromView(v).earliest(0, cores(2), 50)).toBe(200);
    expect(Availability.fromView(v, { ratio: 0.5 }).earliest(0, cores(2), 50)).toBe(100);
    expect(Availability.fromView(v, { ratio: 0 }).earliest(0, cores(2), 50)).toBe(10);
    expect(Availability.fromView(v).earliest(0, cores(1), 50)).toBe(10);
  });

  it("sleeping nodes are available after the pool's longest switch-on", () => {
    const off = { watts: 5, switchOnSeconds: 30, switchOnWatts: 100, switchOffSeconds: 10, switchOffWatts: 100 };
    const sleep = { ...off, switchOnSeconds: 12 };
    const v = view(0, [pool(0, 4, 2, { sleepingNodes: 2, off, sleep })]);
    expect(Availability.fromView(v).earliest(0, cores(3), 10)).toBe(30);
  });

  it("jobs queued ahead are placed first; the estimated job and those behind it are not", () => {
    // 4 free nodes; job 7 (4 nodes, walltime 100) is ahead, job 8 (the estimated one) and 9 behind.
    const v = view(0, [pool(0, 4, 4)], [], [queued(7, 4, 100), queued(8, 1, 50), queued(9, 4, 1000)]);
    expect(Availability.fromView(v, { before: 8 }).earliest(0, cores(1), 50)).toBe(100);
    expect(Availability.fromView(v, { before: 7 }).earliest(0, cores(1), 50)).toBe(0);
    expect(Availability.fromView(v, { before: 8, queue: false }).earliest(0, cores(1), 50)).toBe(0);
    // With a ratio, queued jobs are held for that share of their walltime.
    expect(Availability.fromView(v, { before: 8, ratio: 0.25 }).earliest(0, cores(1), 50)).toBe(25);
  });

  it("a short job backfills a hole before a queued reservation; a long one goes after it", () => {
    // 2 of 4 nodes held until 100; queued job 5 needs all 4 for 100 s: reserved on [100, 200).
    const v = view(0, [pool(0, 4, 2)], [running(1, 0, 2, 0, 100)], [queued(5, 4, 100)]);
    const a = Availability.fromView(v);
    expect(a.earliest(0, cores(2), 100)).toBe(0);
    expect(a.earliest(0, cores(2), 101)).toBe(200);
    expect(a.earliest(0, cores(2), 50, 60)).toBe(200);
    expect(a.earliest(0, cores(2), 40, 60)).toBe(60);
  });

  it("a queued job goes to the pool where it starts earliest (ties: the lowest index)", () => {
    // Pool 0 busy until 300, pool 1 until 100: job 3 (2 nodes, 500 s) goes to pool 1.
    const v = view(0, [pool(0, 2, 0), pool(1, 2, 0)], [running(1, 0, 2, 0, 300), running(2, 1, 2, 0, 100)], [queued(3, 2, 500)]);
    const a = Availability.fromView(v);
    expect(a.earliest(1, cores(1), 10)).toBe(600);
    expect(a.earliest(0, cores(1), 10)).toBe(300);
    const tie = Availability.fromView(view(0, [pool(0, 2, 2), pool(1, 2, 2)], [], [queued(3, 2, 500)]));
    expect(tie.earliest(0, cores(1), 10)).toBe(500);
    expect(tie.earliest(1, cores(1), 10)).toBe(0);
  });

  it("on shared nodes: a shared job counts free cores, also on nodes in use; a whole-node job waits for idle nodes (hand-worked)", () => {
    // Pool of 3 nodes x 8 cores (ids 0..2), now 0:
    //   node 0: job 1, 6 cores, ends 100          -> 2 free
    //   node 1: job 2, 4 cores, ends 50; job 3, 2 cores, ends 200 -> 2 free
    //   node 2: idle                              -> 8 free
    // Free cores 12, idle nodes 1. Profile (cores, idle nodes):
    //   [0, 50): 12, 1;  [50, 100): 12 + 4 = 16, 1 (node 1 still holds job 3);
    //   [100, 200): 16 + 6 = 22, 2 (node 0 empty);  [200, ...): 24, 3.
    const p = poolView({ index: 0, nodes: 3, coresPerNode: 8, freeNodes: 1, freeCores: 12 });
    const run = [
      runningJob({ id: 1, cores: 6, nodes: [0], start: 0, predictedEnd: 100 }),
      runningJob({ id: 2, cores: 4, nodes: [1], start: 0, predictedEnd: 50 }),
      runningJob({ id: 3, cores: 2, nodes: [1], start: 0, predictedEnd: 200 }),
    ];
    const a = Availability.fromView(view(0, [p], run));
    expect(a.earliest(0, cores(12), 10)).toBe(0);
    expect(a.earliest(0, cores(13), 10)).toBe(50);
    expect(a.earliest(0, cores(17), 10)).toBe(100);
    expect(a.earliest(0, cores(24), 10)).toBe(200);
    // A job holding 2 whole nodes (16 cores): 16 cores are free from 50, but a second idle node only from 100.
    expect(a.earliest(0, { cores: 16, wholeNodes: 2 }, 10)).toBe(100);
    expect(a.earliest(0, { cores: 8, wholeNodes: 1 }, 10)).toBe(0);
    expect(a.earliest(0, { cores: 24, wholeNodes: 3 }, 10)).toBe(200);
    // Job 9 (10 shared cores, walltime 100) queued ahead is reserved on [0, 100): 2 + 2 cores on the nodes in use
    // are not enough, so it takes the idle node too. Then:
    //   [0, 50): cores 12 - 10 = 2, idle nodes 0 (its cores beyond the 4 on used nodes fill node 2);
    //   [50, 100): cores 16 - 10 = 6, idle 0 (used nodes have 16 - 8 = 8 free; it takes 10 - 8 = 2 of node 2);
    //   [100, 200): 22, 2 as before (it has ended).
    const q = Availability.fromView(view(0, [p], run, [queued(9, 10, 100)]));
    expect(q.earliest(0, cores(3), 10)).toBe(50);
    expect(q.earliest(0, cores(7), 10)).toBe(100);
    expect(q.earliest(0, { cores: 8, wholeNodes: 1 }, 10)).toBe(100);
    // 6 cores for 80 s from 50: 6 free on [50, 100), 22 on [100, 130): it fits from 50.
    expect(q.earliest(0, cores(6), 80)).toBe(50);
  });

  it("a shared job reserved ahead keeps the idle nodes it took at its start to its end (hand-worked)", () => {
    // 2 nodes x 8 cores. Node 0: job 1 (6 cores, ends 50), job 2 (2 cores, ends 1000); node 1 idle.
    // Job 9 (4 shared cores, walltime 100) queued ahead starts at 0: node 0 has no core free, so it takes
    // node 1 (its 4 cores there) until 100. At 50 job 1 frees 6 cores of node 0, which job 2 still holds:
    // no node is idle before 100, when job 9 ends. A whole node for 10 s: from 100.
    const p = poolView({ index: 0, nodes: 2, coresPerNode: 8, freeNodes: 1, freeCores: 8 });
    const run = [runningJob({ id: 1, cores: 6, nodes: [0], start: 0, predictedEnd: 50 }), runningJob({ id: 2, cores: 2, nodes: [0], start: 0, predictedEnd: 1000 })];
    const a = Availability.fromView(view(0, [p], run, [queued(9, 4, 100)]));
    expect(a.earliest(0, { cores: 8, wholeNodes: 1 }, 10)).toBe(100);
    // Shared cores: 4 left on node 1 now; 4 + 6 from 50.
    expect(a.earliest(0, cores(4), 10)).toBe(0);
    expect(a.earliest(0, cores(10), 10)).toBe(50);
  });

  it("refuses a ratio outside [0, 1]", () => {
    expect(() => Availability.fromView(view(0, [pool(0, 1, 1)]), { ratio: 1.5 })).toThrow("expected a ratio in [0, 1], got 1.5");
  });

  it("property: earliest() is the first change point (or notBefore) from which the window fits, checked by brute force", () => {
    const arb = fc.record({
      nodes: fc.integer({ min: 1, max: 6 }),
      run: fc.array(fc.record({ n: fc.integer({ min: 1, max: 3 }), end: fc.integer({ min: 1, max: 50 }) }), { maxLength: 4 }),
      queue: fc.array(fc.record({ n: fc.integer({ min: 1, max: 6 }), wall: fc.integer({ min: 1, max: 40 }) }), { maxLength: 5 }),
      need: fc.integer({ min: 1, max: 6 }),
      duration: fc.integer({ min: 0, max: 60 }),
      notBefore: fc.integer({ min: 0, max: 30 }),
    });
    fc.assert(
      fc.property(arb, ({ nodes, run, queue, need, duration, notBefore }) => {
        let held = 0;
        const r: RunningJobView[] = [];
        for (const [k, x] of run.entries()) {
          if (held + x.n > nodes) break;
          r.push(running(k, 0, x.n, 0, x.end, held));
          held += x.n;
        }
        const q = queue.filter((x) => x.n <= nodes).map((x, k) => queued(100 + k, x.n, x.wall));
        const a = Availability.fromView(view(0, [pool(0, nodes, nodes - held)], r, q));
        // Brute force on integer times (every change point here is an integer).
        const free = (t: number): number => {
          let f = nodes;
          for (const x of r) if (t < x.predictedEnd) f -= x.nodeCount;
          return f;
        };
        // The queued jobs' placements, found the same first-fit way over integers.
        const used = new Map<number, number>();
        const freeAt = (t: number) => free(t) - (used.get(t) ?? 0);
        const fits = (s: number, n: number, d: number) => {
          for (let t = s; t < s + Math.max(d, 1); t++) if (freeAt(t) < n) return false;
          return true;
        };
        for (const x of q) {
          let s = 0;
          while (!fits(s, x.cores, x.walltime)) s++;
          for (let t = s; t < s + x.walltime; t++) used.set(t, (used.get(t) ?? 0) + x.cores);
        }
        let expected = Infinity;
        if (need <= nodes) for (let s = notBefore; s < 500 && expected === Infinity; s++) if (fits(s, need, duration)) expected = s;
        expect(a.earliest(0, cores(need), duration, notBefore)).toBe(expected);
        // On one-core nodes a job holding whole nodes needs as many idle nodes as it has cores: the same start.
        expect(a.earliest(0, { cores: need, wholeNodes: need }, duration, notBefore)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
