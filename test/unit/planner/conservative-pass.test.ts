/**
 * Conservative backfilling's pass against a brute-force oracle written here:
 * a fresh profile of free cores and idle nodes evaluated point by point (no
 * step arrays), every queued job in queue order given the earliest start at
 * which its need holds over its whole run time, in the pool where that start
 * is earliest (ties: platform order), and reserved there; the jobs whose start
 * is now start. The policy may end a pass early and pass over jobs with the
 * world's queue index; its decisions must be the oracle's, with an index, with
 * a running index, and with neither. And a pass where nothing fits the room
 * free now reads no queued job.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { policyConservativeBackfill } from "../../../src/planner/policies/conservative.js";
import { leastNeeds } from "../../../src/planner/resources.js";
import type { ClusterView, PoolView, QueueIndex, QueuedJobView, RunningIndex, RunningJobView } from "../../../src/planner/view.js";
import { clusterView, poolView, queuedJob, runningJob } from "../../helpers/views.js";

interface Start {
  kind: "start";
  jobId: number;
  pool: number;
}

/** A need in the documented terms: whole nodes (exclusive job or pool) as ceil(cores / cores per node) nodes, else cores; undefined where the pool cannot hold it. */
function needIn(job: QueuedJobView, pool: PoolView): { cores: number; whole: number } | undefined {
  const nodes = Math.ceil(job.cores / pool.coresPerNode);
  if ((job.exclusive === true && pool.sharedOnly) || nodes > pool.nodes) return undefined;
  return job.exclusive === true || pool.exclusive ? { cores: nodes * pool.coresPerNode, whole: nodes } : { cores: job.cores, whole: 0 };
}

/** The oracle: a conservative pass over a profile made afresh and read point by point. */
function oracle(view: ClusterView): Start[] {
  const now = view.now;
  const changes: { t: number; cores: number; nodes: number }[][] = view.pools.map(() => []);
  const nodeEnd = new Map<number, { pool: number; t: number }>();
  for (const r of view.running) {
    const end = Math.max(now, r.start + (r.predictedEnd - r.start));
    changes[r.pool].push({ t: end, cores: r.allocCores, nodes: 0 });
    // A node is idle again when the last job on it ends.
    for (const n of r.nodes) nodeEnd.set(n, { pool: r.pool, t: Math.max(nodeEnd.get(n)?.t ?? -Infinity, end) });
  }
  for (const { pool, t } of nodeEnd.values()) changes[pool].push({ t, cores: 0, nodes: 1 });
  for (const pool of view.pools) {
    const waking = pool.sleepingNodes + pool.wakingNodes;
    const at = now + Math.max(pool.off?.switchOnSeconds ?? 0, pool.sleep?.switchOnSeconds ?? 0);
    if (waking > 0) changes[pool.index].push({ t: at, cores: waking * pool.coresPerNode, nodes: waking });
  }
  const held: { pool: number; start: number; end: number; cores: number; idle: number }[] = [];
  const room = (p: number, x: number) => {
    let cores = view.pools[p].freeCores;
    let nodes = view.pools[p].freeNodes;
    for (const c of changes[p]) if (c.t <= x) [cores, nodes] = [cores + c.cores, nodes + c.nodes];
    for (const h of held) if (h.pool === p && h.start <= x && x < h.end) [cores, nodes] = [cores - h.cores, nodes - h.idle];
    return { cores, nodes: Math.max(0, nodes) };
  };
  const holds = (p: number, x: number, need: { cores: number; whole: number }) => {
    const r = room(p, x);
    return need.whole > 0 ? r.nodes >= need.whole : r.cores >= need.cores;
  };
  const earliest = (p: number, need: { cores: number; whole: number }, seconds: number): number => {
    const times = [now, ...changes[p].map((c) => c.t), ...held.filter((h) => h.pool === p).flatMap((h) => [h.start, h.end])];
    const points = [...new Set(times.filter((t) => t >= now && t < Infinity))].sort((a, b) => a - b);
    // Whether the need holds from each point to the next (the room is constant between points).
    const ok = points.map((x) => holds(p, x, need));
    for (let a = 0; a < points.length; a++) {
      let fits = ok[a];
      for (let b = a + 1; fits && b < points.length && points[b] < points[a] + seconds; b++) fits = ok[b];
      if (fits) return points[a];
    }
    return Infinity;
  };
  const out: Start[] = [];
  for (const job of view.queue) {
    let best = -1;
    let start = Infinity;
    for (const pool of view.pools) {
      const need = needIn(job, pool);
      if (need === undefined) continue;
      const t = earliest(pool.index, need, job.timeLeft);
      if (t < start) [best, start] = [pool.index, t];
    }
    if (best < 0 || start === Infinity) continue;
    const pool = view.pools[best];
    const need = needIn(job, pool)!;
    const r = room(best, start);
    // Idle nodes it takes: its whole nodes, or what its cores need beyond the free cores of nodes in use at its start.
    const idle = need.whole > 0 ? need.whole : Math.ceil(Math.max(0, need.cores - (r.cores - r.nodes * pool.coresPerNode)) / pool.coresPerNode);
    held.push({ pool: best, start, end: start + job.timeLeft, cores: need.cores, idle });
    if (start <= now) out.push({ kind: "start", jobId: job.id, pool: best });
  }
  return out;
}

/** A queue index by linear search over the documented keys (least cores and run time over pools); `given` counts the jobs it returns. */
function linearIndex(view: ClusterView, given: { n: number } = { n: 0 }): QueueIndex {
  const queue = view.queue;
  const least = queue.map((j) => leastNeeds(j, view.pools));
  const index: QueueIndex = {
    view,
    length: queue.length,
    next(after, cores, shortCores, shortSeconds) {
      let i = after === undefined ? 0 : queue.findIndex((j) => j.id === after.id) + 1;
      if (after !== undefined && i === 0) throw new Error(`job ${after.id} is not queued`);
      for (; i < queue.length; i++) {
        const l = least[i];
        if (l.cores <= cores || (l.cores <= shortCores && l.seconds <= shortSeconds)) {
          given.n++;
          return queue[i];
        }
      }
      return undefined;
    },
    byId: (id) => queue.find((j) => j.id === id),
    rebind: (v) => linearIndex(v, given),
  };
  return index;
}

function runningIndex(view: ClusterView): RunningIndex {
  return { view, runningCount: view.running.length, runningAt: (k) => view.running[k] };
}

const int = (min: number, max: number) => fc.integer({ min, max });

const arbPool = fc.record({ nodes: int(1, 4), cores: int(1, 4), exclusive: fc.boolean(), sharedOnly: fc.boolean(), sleeping: int(0, 2), switchOn: fc.constantFrom(0, 5, 30) });
const arbRunning = fc.record({ pool: int(0, 2), nodes: int(1, 2), perNode: int(1, 4), whole: fc.boolean(), ago: int(0, 40), halfSeconds: int(0, 160) });
const arbQueued = fc.record({ cores: int(1, 10), halfSeconds: int(1, 160), exclusive: fc.integer({ min: 0, max: 4 }).map((x) => x === 0) });
const arbCase = fc.record({
  now: int(0, 50),
  pools: fc.array(arbPool, { minLength: 1, maxLength: 3 }),
  running: fc.array(arbRunning, { maxLength: 8 }),
  queue: fc.array(arbQueued, { maxLength: 25 }),
});

type Case = typeof arbCase extends fc.Arbitrary<infer T> ? T : never;

/** A consistent view: jobs placed on nodes that can hold them (whole nodes alone, shared cores within each node's), counts from the placement. */
function makeView(c: Case): ClusterView {
  let first = 0;
  const used: number[][] = [];
  const alone: boolean[][] = [];
  const awake: number[] = [];
  const off = { watts: 1, switchOnSeconds: 0, switchOnWatts: 1, switchOffSeconds: 1, switchOffWatts: 1 };
  const specs = c.pools.map((p, index) => {
    const spec = { index, firstNode: first, nodes: p.nodes, coresPerNode: p.cores, exclusive: p.exclusive, sharedOnly: p.sharedOnly && !p.exclusive, switchOn: p.switchOn };
    first += p.nodes;
    used.push(new Array(p.nodes).fill(0));
    alone.push(new Array(p.nodes).fill(false));
    awake.push(Math.max(0, p.nodes - p.sleeping));
    return spec;
  });
  const running: RunningJobView[] = [];
  c.running.forEach((r, k) => {
    const p = r.pool % specs.length;
    const s = specs[p];
    const whole = r.whole || s.exclusive;
    const perNode = Math.min(r.perNode, s.coresPerNode);
    const nodes: number[] = [];
    for (let n = 0; n < awake[p] && nodes.length < r.nodes; n++) {
      if (alone[p][n]) continue;
      if (whole ? used[p][n] === 0 : s.coresPerNode - used[p][n] >= perNode) nodes.push(n);
    }
    if (nodes.length < r.nodes) return;
    for (const n of nodes) {
      used[p][n] += whole ? s.coresPerNode : perNode;
      alone[p][n] = whole;
    }
    const cores = nodes.length * (whole ? s.coresPerNode : perNode);
    const start = c.now - r.ago;
    running.push(runningJob({ id: 1000 + k, pool: p, cores, allocCores: cores, nodes: nodes.map((n) => s.firstNode + n), holdsWholeNodes: whole, start, predictedEnd: start + r.halfSeconds / 2 }));
  });
  running.sort((a, b) => a.predictedEnd - b.predictedEnd || a.id - b.id);
  const pools = specs.map((s, p) => {
    let freeCores = 0;
    let freeNodes = 0;
    for (let n = 0; n < awake[p]; n++) {
      if (!alone[p][n]) freeCores += s.coresPerNode - used[p][n];
      if (used[p][n] === 0) freeNodes++;
    }
    const sleeping = s.nodes - awake[p];
    return poolView({ index: p, firstNode: s.firstNode, nodes: s.nodes, coresPerNode: s.coresPerNode, exclusive: s.exclusive, sharedOnly: s.sharedOnly, freeNodes, freeCores, sleepingNodes: sleeping, off: { ...off, switchOnSeconds: s.switchOn } });
  });
  const queue = c.queue.map((q, k) => queuedJob({ id: k + 1, cores: q.cores, walltime: q.halfSeconds / 2, exclusive: q.exclusive || undefined }));
  return clusterView({ now: c.now, pools, running, queue });
}

/** The same view with the world's indexes bound to it. */
function indexed(view: ClusterView, withRunning: boolean, given?: { n: number }): ClusterView {
  const v: { -readonly [K in keyof ClusterView]: ClusterView[K] } = { ...view };
  v.queueIndex = linearIndex(v, given);
  if (withRunning) v.runningIndex = runningIndex(v);
  return v;
}

describe("conservative backfilling's pass", () => {
  it("property: starts exactly the jobs a fresh profile walked over the whole queue starts, with or without the world's indexes", () => {
    fc.assert(
      fc.property(arbCase, fc.boolean(), (c, withRunning) => {
        const view = makeView(c);
        const expected = oracle(view);
        expect(policyConservativeBackfill().decide(view, [])).toEqual(expected);
        expect(policyConservativeBackfill().decide(indexed(view, withRunning), [])).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it("property: one policy kept over many passes decides each as afresh (nothing stale between passes)", () => {
    const policy = policyConservativeBackfill();
    fc.assert(
      fc.property(arbCase, (c) => {
        const view = makeView(c);
        expect(policy.decide(indexed(view, true), [])).toEqual(oracle(view));
      }),
      { numRuns: 200 },
    );
  });

  it("property: the same on long profiles (hundreds of change points: the profile's chunks split and are passed over)", () => {
    // One pool of 64 one-core nodes, each held by its own job ending at its own time; 40 to 80 jobs queued.
    const arb = fc.record({
      now: int(0, 50),
      ends: fc.array(int(1, 4000), { minLength: 64, maxLength: 64 }),
      free: int(0, 6),
      queue: fc.array(fc.record({ cores: int(1, 40), halfSeconds: int(1, 3000) }), { minLength: 40, maxLength: 80 }),
    });
    fc.assert(
      fc.property(arb, ({ now, ends, free, queue }) => {
        const pool = poolView({ index: 0, nodes: 64, coresPerNode: 1, freeNodes: free, freeCores: free });
        const running = ends
          .slice(free)
          .map((e, k) => runningJob({ id: 1000 + k, nodes: [free + k], cores: 1, start: 0, predictedEnd: now + e / 2 }))
          .sort((a, b) => a.predictedEnd - b.predictedEnd || a.id - b.id);
        const view = clusterView({ now, pools: [pool], running, queue: queue.map((q, k) => queuedJob({ id: k + 1, cores: q.cores, walltime: q.halfSeconds / 2 })) });
        const expected = oracle(view);
        expect(policyConservativeBackfill().decide(view, [])).toEqual(expected);
        expect(policyConservativeBackfill().decide(indexed(view, true), [])).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it("hand-worked: a short job behind a blocked head backfills now; a long one would delay the head and waits", () => {
    // 4 one-core nodes, 2 held until 100 (job 50). Queue: job 1 (4 cores, 100 s) reserves [100, 200);
    // job 2 (2 cores, 100 s) fits now and ends by 100: it starts; job 3 (2 cores, 150 s) would run past 100: it waits.
    const pool = poolView({ index: 0, nodes: 4, coresPerNode: 1, freeNodes: 2, freeCores: 2 });
    const running = [runningJob({ id: 50, nodes: [0, 1], cores: 2, start: 0, predictedEnd: 100 })];
    const queue = [queuedJob({ id: 1, cores: 4, walltime: 100 }), queuedJob({ id: 2, cores: 2, walltime: 100 }), queuedJob({ id: 3, cores: 2, walltime: 150 })];
    const view = clusterView({ now: 0, pools: [pool], running, queue });
    expect(policyConservativeBackfill().decide(indexed(view, true), [])).toEqual([{ kind: "start", jobId: 2, pool: 0 }]);
    // Job 3 alone behind the head: the same (the reservation of the head keeps it out).
    const v3 = clusterView({ now: 0, pools: [pool], running, queue: [queue[0], queue[2]] });
    expect(policyConservativeBackfill().decide(indexed(v3, true), [])).toEqual([]);
  });

  it("a pass where no queued job fits the room free now reads neither the queue nor any job of the index", () => {
    // 2 one-core nodes, both busy until 100; 5,000 jobs of 2 cores queued: none can start now.
    const pool = poolView({ index: 0, nodes: 2, coresPerNode: 1, freeNodes: 0, freeCores: 0 });
    const running = [runningJob({ id: 50, nodes: [0, 1], cores: 2, start: 0, predictedEnd: 100 })];
    const queue = Array.from({ length: 5000 }, (_, k) => queuedJob({ id: k + 1, cores: 2, walltime: 100 }));
    const base = clusterView({ now: 10, pools: [pool], running, queue });
    const given = { n: 0 };
    const v = indexed(base, true, given);
    // Reading the queue as an array would cost the whole queue: it must not happen.
    Object.defineProperty(v, "queue", {
      get() {
        throw new Error("the pass read view.queue");
      },
    });
    expect(policyConservativeBackfill().decide(v, [])).toEqual([]);
    expect(given.n).toBe(0);
  });
});
