/**
 * policyConsolidate's wake plan reads each pool's core supply lazily
 * (Supply.has: running jobs through the view's running index, merged with the
 * waking nodes' ready times). Checked against the supply as the policy built
 * it before, for every pool from every running job at each pass (the eager
 * construction, kept here as the oracle, with each entry's whole-node flag),
 * on random running sets over several pools (predicted ends often tied, with
 * each other and with ready times; some jobs holding whole nodes),
 * read through a running index and through a plain list; and a read that
 * stops early reads no running job past the next one of its pool.
 *
 * EASY's running list with the waking nodes merged in (withRunning) is the
 * running jobs and the extra entries sorted together by predicted end, then id
 * (a sort of the concatenation), whether the running jobs come in order
 * through an index or out of order in a list made by hand.
 *
 * Then whole runs: with the world's index (the simulator's view) and without
 * (the same view seen through a copy, so the policy falls back to
 * view.running), the policy decides exactly the same; and where the world
 * keeps no reasons (ClusterView.explain false) its power decisions carry no
 * why and nothing else changes.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { rngSeeded } from "../../../src/core/rng.js";
import type { JobSpec } from "../../../src/io/spec.js";
import { forecastFromActual } from "../../../src/models/forecast.js";
import type { PlatformModel } from "../../../src/models/platform.js";
import { policyConsolidate, Supply, withRunning, type ConsolidateParams } from "../../../src/planner/policies/consolidate.js";
import { RunningReader } from "../../../src/planner/runningReader.js";
import type { ClusterView, Decision, Policy, RunningIndex, RunningJobView } from "../../../src/planner/view.js";
import { simulate } from "../../../src/sim/simulation.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { runningJob } from "../../helpers/views.js";
import { OFF, FIG } from "../../helpers/consolidate.js";

interface Entries {
  t: number[];
  n: number[];
  waking: boolean[];
  /** Whether the entry's cores come as whole nodes (idle or waking nodes, a job holding its nodes whole). */
  whole: boolean[];
  idleEntry: number;
}

/**
 * The oracle: every pool's supply made at once, as the policy did before it
 * read them lazily: free cores now (on nodes in use, then on idle nodes), then
 * one walk of all running jobs, each pool's waking nodes that are on by a
 * job's predicted end put before it, the rest after the last.
 */
function eagerSupply(coresPerNode: number[], running: readonly RunningJobView[], ready: number[][], now: number, busyFree: number[], idleCores: number[]): Entries[] {
  const supply: Entries[] = coresPerNode.map((_, p) => {
    const s: Entries = { t: [], n: [], waking: [], whole: [], idleEntry: -1 };
    if (busyFree[p] > 0) s.t.push(now), s.n.push(busyFree[p]), s.waking.push(false), s.whole.push(false);
    if (idleCores[p] > 0) (s.idleEntry = s.t.length), s.t.push(now), s.n.push(idleCores[p]), s.waking.push(false), s.whole.push(true);
    return s;
  });
  const w = coresPerNode.map(() => 0);
  const add = (p: number, t: number, n: number, waking: boolean, whole: boolean) => (supply[p].t.push(t), supply[p].n.push(n), supply[p].waking.push(waking), supply[p].whole.push(whole));
  for (const r of running) {
    const p = r.pool;
    while (w[p] < ready[p].length && ready[p][w[p]] <= r.predictedEnd) add(p, ready[p][w[p]++], coresPerNode[p], true, true);
    add(p, r.predictedEnd, r.allocCores, false, r.holdsWholeNodes);
  }
  for (let p = 0; p < coresPerNode.length; p++) while (w[p] < ready[p].length) add(p, ready[p][w[p]++], coresPerNode[p], true, true);
  return supply;
}

/** A view of the running jobs alone: with a running index bound to it (counting the jobs it is asked for), or a plain list. */
function runningView(running: readonly RunningJobView[], indexed: boolean): { view: ClusterView; asked: number[] } {
  const asked: number[] = [];
  const view = { running } as unknown as ClusterView & { runningIndex?: RunningIndex };
  if (indexed) {
    // A list that would fail if read: the index must be used instead.
    Object.defineProperty(view, "running", { get: () => expect.unreachable("view.running read while the index is bound") });
    view.runningIndex = {
      view,
      runningCount: running.length,
      runningAt: (k) => {
        asked.push(k);
        return running[k];
      },
    };
  }
  return { view, asked };
}

const ENDS = [5, 10, 10, 20, 35, 35, 50];
const scene = fc
  .record({
    cores: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 3 }),
    jobs: fc.array(fc.record({ pool: fc.nat(2), end: fc.constantFrom(...ENDS), cores: fc.integer({ min: 1, max: 16 }), whole: fc.boolean() }), { maxLength: 30 }),
    ready: fc.array(fc.array(fc.constantFrom(3, 10, 20, 27, 35, 60), { maxLength: 5 }), { minLength: 3, maxLength: 3 }),
    busyFree: fc.array(fc.nat(6), { minLength: 3, maxLength: 3 }),
    idle: fc.array(fc.nat(3), { minLength: 3, maxLength: 3 }),
    depth: fc.array(fc.nat(40), { minLength: 3, maxLength: 3 }),
  })
  .map(({ cores, jobs, ready, busyFree, idle, depth }) => {
    const P = cores.length;
    const running = jobs
      .map((j, i) => runningJob({ id: 100 - i, pool: j.pool % P, predictedEnd: j.end, cores: j.cores, allocCores: j.cores, holdsWholeNodes: j.whole }))
      .sort((a, b) => a.predictedEnd - b.predictedEnd || a.id - b.id);
    return { cores, running, ready: ready.slice(0, P).map((r) => [...r].sort((a, b) => a - b)), busyFree, idleCores: idle.slice(0, P).map((k, p) => k * cores[p]), depth };
  });

describe("Supply (consolidate's wake plan) against the eager construction", () => {
  it("Supply gives every pool the entries of the eager supply in order, and has() is false just past its end, through an index or a list", () => {
    fc.assert(
      fc.property(scene, fc.boolean(), ({ cores, running, ready, busyFree, idleCores }, indexed) => {
        const now = 1;
        const oracle = eagerSupply(cores, running, ready, now, busyFree, idleCores);
        const { view } = runningView(running, indexed);
        const reader = new RunningReader().bind(view);
        for (let p = 0; p < cores.length; p++) {
          const s = new Supply();
          for (let i = 0; i < ready[p].length; i++) s.ready[i] = ready[p][i];
          s.readyLen = ready[p].length;
          s.begin(p, cores[p], now, busyFree[p], idleCores[p], reader);
          const got: Entries = { t: [], n: [], waking: [], whole: [], idleEntry: s.idleEntry };
          for (let i = 0; s.has(i); i++) got.t.push(s.t[i]), got.n.push(s.n[i]), got.waking.push(s.waking[i]), got.whole.push(s.whole[i]);
          expect(got).toEqual(oracle[p]);
          expect(s.len).toBe(oracle[p].t.length);
        }
      }),
      { numRuns: 400, seed: 31 },
    );
  });

  it("Supply read to entry d reads no running job past the next one of its pool (the index is asked for no more)", () => {
    fc.assert(
      fc.property(scene, ({ cores, running, ready, busyFree, idleCores, depth }) => {
        const now = 1;
        const oracle = eagerSupply(cores, running, ready, now, busyFree, idleCores);
        for (let p = 0; p < cores.length; p++) {
          const { view, asked } = runningView(running, true);
          const s = new Supply();
          for (let i = 0; i < ready[p].length; i++) s.ready[i] = ready[p][i];
          s.readyLen = ready[p].length;
          s.begin(p, cores[p], now, busyFree[p], idleCores[p], new RunningReader().bind(view));
          const d = Math.min(depth[p], oracle[p].t.length - 1);
          if (d < 0) continue;
          expect(s.has(d)).toBe(true);
          // Entries made so far hold `e` of the pool's running jobs: a lazy read looked at most at the (e+1)-th.
          const e = oracle[p].waking.slice(0, s.len).filter((w, i) => !w && i !== oracle[p].idleEntry && !(i === 0 && busyFree[p] > 0)).length;
          const ofPool = running.map((r, k) => (r.pool === p ? k : -1)).filter((k) => k >= 0);
          const bound = e < ofPool.length ? ofPool[e] : running.length - 1;
          expect(Math.max(-1, ...asked)).toBeLessThanOrEqual(bound);
          // What it made is the oracle's first entries.
          expect(s.t.slice(0, s.len)).toEqual(oracle[p].t.slice(0, s.len));
          expect(s.n.slice(0, s.len)).toEqual(oracle[p].n.slice(0, s.len));
        }
      }),
      { numRuns: 400, seed: 37 },
    );
  });
});

describe("withRunning (EASY's list with waking nodes as jobs)", () => {
  it("withRunning gives the running jobs and the first m extra entries sorted together by predicted end, then id, merged as they are read", () => {
    const byEnd = (a: RunningJobView, b: RunningJobView) => a.predictedEnd - b.predictedEnd || a.id - b.id;
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...ENDS), { maxLength: 20 }),
        fc.array(fc.constantFrom(3, 10, 20, 35, 60), { maxLength: 12 }),
        fc.nat(12),
        fc.constantFrom("index", "list", "shuffled"),
        (ends, extraEnds, cut, how) => {
          const sorted = ends.map((e, i) => runningJob({ id: 50 - i, predictedEnd: e })).sort(byEnd);
          // A list made by hand may be out of order: reversed.
          const running = how === "shuffled" ? [...sorted].reverse() : sorted;
          const extra = extraEnds.map((e, k) => runningJob({ id: -(2 ** 31) + k, predictedEnd: e }));
          const m = Math.min(cut, extra.length);
          const expected = [...sorted, ...extra.slice(0, m)].sort(byEnd).map((r) => r.id);
          const { view } = runningView(running, how === "index");
          // Merged as read: its length first, an entry from the middle first, then all of them in order (again).
          const list = withRunning(new RunningReader().bind(view), [...extra], m);
          expect(list.length).toBe(expected.length);
          const mid = list.length >> 1;
          if (list.length > 0) expect(list.get(mid).id).toBe(expected[mid]);
          const got = Array.from({ length: list.length }, (_, k) => list.get(k).id);
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 400, seed: 47 },
    );
  });
});

// One site, one-core nodes idling at 100 W (off: 10 W, 5 s off at 100 W, 20 s on at 150 W), as in consolidate.test.ts.
const platform = (nodes: number, cores: number): PlatformModel => tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [{ nodes, cores, idle: 100, max: 200, off: OFF }]);

/** Every pass's time and decisions, the view as given (`copy` false) or seen through a copy that has no index of the world's, with reasons kept or not. */
async function passes(plat: PlatformModel, params: ConsolidateParams, jobs: JobSpec[], copy: boolean, explain: boolean): Promise<{ now: number; decisions: readonly Decision[] }[]> {
  const inner = policyConsolidate(params);
  const calls: { now: number; decisions: readonly Decision[] }[] = [];
  const policy: Policy<unknown> = {
    ...inner,
    decide(view, happened, state) {
      expect(view.explain).toBe(explain);
      // A view made from the world's by prototype: its indexes belong to the world's view, not to this one.
      const seen: ClusterView = copy ? (Object.create(view) as ClusterView) : view;
      const decisions = inner.decide(seen, happened, state as Parameters<typeof inner.decide>[2]);
      calls.push({ now: view.now, decisions: structuredClone(decisions) });
      return decisions;
    },
  };
  const result = await simulate({ platform: plat, policy, jobs: [jobs], forecasts: plat.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))), explain });
  expect(result.refusals).toEqual({});
  return calls;
}

const withoutWhy = (calls: { now: number; decisions: readonly Decision[] }[]) => calls.map((c) => ({ now: c.now, decisions: c.decisions.map((d) => ("why" in d && d.kind !== "defer" ? { ...d, why: undefined } : d)) }));

describe("policyConsolidate() through the world's indexes or without them, with reasons kept or not", () => {
  const workload = fc
    .array(fc.record({ gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 150 })), runtime: fc.integer({ min: 1, max: 200 }), over: fc.integer({ min: 0, max: 100 }), cores: fc.integer({ min: 1, max: 8 }) }), { minLength: 1, maxLength: 30 })
    .map((rows) => {
      let t = 0;
      return rows.map((r, i): JobSpec => {
        t += r.gap;
        return job(i + 1, t, r.runtime, r.runtime + r.over, r.cores);
      });
    });
  const shape = fc.constantFrom({ nodes: 8, cores: 1 }, { nodes: 3, cores: 4 });
  const params = fc.record({ keep_on: fc.integer({ min: 0, max: 2 }), idle_s: fc.constantFrom<number | undefined>(0, 10, undefined) }).map((p) => ({ ...FIG, ...p }));

  it("policyConsolidate() decides the same on the simulator's view (running index) as on a copy of it (view.running)", async () => {
    await fc.assert(
      fc.asyncProperty(workload, shape, params, async (jobs, { nodes, cores }, p) => {
        const plat = platform(nodes, cores);
        expect(await passes(plat, p, jobs, false, true)).toEqual(await passes(plat, p, jobs, true, true));
      }),
      { numRuns: 60, seed: 41 },
    );
  });

  it("policyConsolidate() where the world keeps no reasons gives its power decisions no why and decides the same otherwise", async () => {
    await fc.assert(
      fc.asyncProperty(workload, shape, params, async (jobs, { nodes, cores }, p) => {
        const plat = platform(nodes, cores);
        const kept = await passes(plat, p, jobs, false, true);
        const none = await passes(plat, p, jobs, false, false);
        for (const c of kept) for (const d of c.decisions) if (d.kind === "setPowerState") expect(d.why?.reason).toBeTruthy();
        for (const c of none) for (const d of c.decisions) if (d.kind !== "wakeAt" && d.kind !== "reject") expect("why" in d).toBe(false);
        expect(withoutWhy(none)).toEqual(withoutWhy(kept));
      }),
      { numRuns: 60, seed: 43 },
    );
  });
});
