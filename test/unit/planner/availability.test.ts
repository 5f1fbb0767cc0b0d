/**
 * Availability: the free-node profile of pools. Hand-worked cases on small
 * views, and a property test against a brute-force search of the profile.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Availability } from "../../../src/planner/availability.js";
import type { ClusterView, PoolView, QueuedJobView, RunningJobView } from "../../../src/planner/view.js";
import { clusterView, poolView, queuedJob, runningJob } from "../../helpers/views.js";

function pool(index: number, nodes: number, free: number, extra: Partial<PoolView> = {}): PoolView {
  return poolView({ index, nodes, freeNodes: free, coresPerNode: 1, ...extra });
}

function running(id: number, p: number, nodes: number, start: number, predictedEnd: number): RunningJobView {
  return runningJob({ id, pool: p, nodeCount: nodes, nodes: [], start, predictedEnd });
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
    expect(a.earliest(0, 4, 100)).toBe(5);
    expect(a.earliest(0, 5, 100)).toBe(Infinity);
  });

  it("running jobs free their nodes at start + ratio x (predicted end - start), never before now", () => {
    // 3 of 4 nodes held from 0 to 200; now 10; 2 nodes needed.
    const v = view(10, [pool(0, 4, 1)], [running(1, 0, 3, 0, 200)]);
    expect(Availability.fromView(v).earliest(0, 2, 50)).toBe(200);
    expect(Availability.fromView(v, { ratio: 0.5 }).earliest(0, 2, 50)).toBe(100);
    expect(Availability.fromView(v, { ratio: 0 }).earliest(0, 2, 50)).toBe(10);
    expect(Availability.fromView(v).earliest(0, 1, 50)).toBe(10);
  });

  it("sleeping nodes are available after the pool's longest switch-on", () => {
    const off = { watts: 5, switchOnSeconds: 30, switchOnWatts: 100, switchOffSeconds: 10, switchOffWatts: 100 };
    const sleep = { ...off, switchOnSeconds: 12 };
    const v = view(0, [pool(0, 4, 2, { sleepingNodes: 2, off, sleep })]);
    expect(Availability.fromView(v).earliest(0, 3, 10)).toBe(30);
  });

  it("jobs queued ahead are placed first; the estimated job and those behind it are not", () => {
    // 4 free nodes; job 7 (4 nodes, walltime 100) is ahead, job 8 (the estimated one) and 9 behind.
    const v = view(0, [pool(0, 4, 4)], [], [queued(7, 4, 100), queued(8, 1, 50), queued(9, 4, 1000)]);
    expect(Availability.fromView(v, { before: 8 }).earliest(0, 1, 50)).toBe(100);
    expect(Availability.fromView(v, { before: 7 }).earliest(0, 1, 50)).toBe(0);
    expect(Availability.fromView(v, { before: 8, queue: false }).earliest(0, 1, 50)).toBe(0);
    // With a ratio, queued jobs are held for that share of their walltime.
    expect(Availability.fromView(v, { before: 8, ratio: 0.25 }).earliest(0, 1, 50)).toBe(25);
  });

  it("a short job backfills a hole before a queued reservation; a long one goes after it", () => {
    // 2 of 4 nodes held until 100; queued job 5 needs all 4 for 100 s: reserved on [100, 200).
    const v = view(0, [pool(0, 4, 2)], [running(1, 0, 2, 0, 100)], [queued(5, 4, 100)]);
    const a = Availability.fromView(v);
    expect(a.earliest(0, 2, 100)).toBe(0);
    expect(a.earliest(0, 2, 101)).toBe(200);
    expect(a.earliest(0, 2, 50, 60)).toBe(200);
    expect(a.earliest(0, 2, 40, 60)).toBe(60);
  });

  it("a queued job goes to the pool where it starts earliest (ties: the lowest index)", () => {
    // Pool 0 busy until 300, pool 1 until 100: job 3 (2 nodes, 500 s) goes to pool 1.
    const v = view(0, [pool(0, 2, 0), pool(1, 2, 0)], [running(1, 0, 2, 0, 300), running(2, 1, 2, 0, 100)], [queued(3, 2, 500)]);
    const a = Availability.fromView(v);
    expect(a.earliest(1, 1, 10)).toBe(600);
    expect(a.earliest(0, 1, 10)).toBe(300);
    const tie = Availability.fromView(view(0, [pool(0, 2, 2), pool(1, 2, 2)], [], [queued(3, 2, 500)]));
    expect(tie.earliest(0, 1, 10)).toBe(500);
    expect(tie.earliest(1, 1, 10)).toBe(0);
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
          held += x.n;
          r.push(running(k, 0, x.n, 0, x.end));
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
        expect(a.earliest(0, need, duration, notBefore)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
