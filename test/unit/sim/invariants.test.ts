/**
 * Invariants of simulate() and the accountant on random workloads (property
 * tests), over a two-site, three-pool tiny platform:
 *   site a (PUE 1.3, constant 0.05 kg CO2e/kWh): pool 0, 4 nodes x 4 cores;
 *                                                pool 1, 2 nodes x 16 cores
 *   site b (PUE 1.6, CC intensity changing at 1800, 5000.5, 12000 and 30000 s,
 *           "error" extension up to 1e7 s, far beyond any run): pool 2, 3 nodes x 8 cores
 * Every pool has an off state, so the power-off-when-idle fixture can run on it
 * too (switching energy is overhead and must be metered like the rest).
 *
 * Jobs share nodes unless they ask for whole ones (about one in four does).
 *
 * (a) no node is ever allocated more cores than it has, nor shared while a job
 *     holds it whole; the view agrees with itself; each node's state intervals
 *     tile [0, end] and their energy sums to the sites' meters;
 * (b) every submitted job is accounted exactly once (ended or dropped);
 * (c) per site, jobs + overhead = the independent meter (energy, use-phase CC,
 *     node-seconds), within 1e-9 relative;
 * (d) same inputs, same facts (also whatever the batching of the job stream).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Accountant } from "../../../src/accounting/accountant.js";
import { N_COORDS, categoryIndex } from "../../../src/core/categories.js";
import { rngSeeded } from "../../../src/core/rng.js";
import type { JobSpec } from "../../../src/io/spec.js";
import { forecastFromActual } from "../../../src/models/forecast.js";
import type { PlatformModel, PowerStateModel } from "../../../src/models/platform.js";
import { NodeState, policyEasyBackfill, policyFcfs, type Policy } from "../../../src/planner/index.js";
import { combineObservers, type JobFact } from "../../../src/sim/observer.js";
import { simulate } from "../../../src/sim/simulation.js";
import { ccSeries, job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { policyPowerOffWhenIdle } from "../../fixtures/policies/powerOffWhenIdle.js";

const CC = categoryIndex("CC");
const ENERGY = categoryIndex("ENERGY");
const OFF: PowerStateModel = { watts: 8, switchOffSeconds: 6.5, switchOffWatts: 90, switchOnSeconds: 40.25, switchOnWatts: 130 };
const SERIES_END = 1e7;

const platform = (): PlatformModel =>
  tinyPlatform(
    [
      { id: "a", pue: 1.3, kgPerKwh: 0.05 },
      { id: "b", pue: 1.6, kgPerKwh: ccSeries([0, 1800, 5000.5, 12000, 30000], [0.4, 0.1, 0.35, 0.2, 0.5], SERIES_END) },
    ],
    [
      { nodes: 4, cores: 4, idle: 50, max: 150, off: OFF, fabricationCcPerNodeSecond: 1e-6 },
      { nodes: 2, cores: 16, idle: 120, max: 410, off: OFF, fabricationCcPerNodeSecond: 3e-6 },
      { nodes: 3, cores: 8, idle: 70.5, max: 233.3, off: OFF, site: 1, fabricationCcPerNodeSecond: 2e-6 },
    ],
  );

/** Random workloads in submit order: quarter-second times, walltimes below (killed) or above the run time; cores up to the largest pool. */
const workload = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 0, max: 1600 }),
      runtime: fc.integer({ min: 1, max: 12000 }),
      over: fc.integer({ min: -2000, max: 8000 }),
      cores: fc.integer({ min: 1, max: 32 }),
      exclusive: fc.integer({ min: 0, max: 3 }),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((rows) => {
    let t = 0;
    return rows.map((r, i): JobSpec => {
      t += r.gap / 4;
      const j = job(i + 1, t, r.runtime / 4, Math.max(1, r.runtime + r.over) / 4, r.cores, `p${i % 3}`);
      return r.exclusive === 0 ? { ...j, exclusive: true } : j;
    });
  });

interface Run {
  facts: JobFact[];
  dropped: { id: number; reason: string }[];
  intervals: number[][];
  /** Per node interval: node, state, from, to, joules. */
  nodeIntervals: number[][];
  accountant: Accountant;
  end: number;
  submitted: number;
  viewProblems: string[];
}

/**
 * Runs `jobs` under `policy`, keeping every fact in order (a list, so a job
 * reported twice shows), and checking at each pass that the view agrees with
 * itself: per pool, freeNodes = Idle nodes, busy nodes = the nodes the running
 * jobs hold, sleepingNodes = off, asleep or switching off, wakingNodes =
 * switching on; per node, free cores = its cores less what running jobs hold
 * there (none when one holds it whole or it is not on), and the pool's free
 * cores their sum;
 * running is ordered by (predicted end, id); the queue by submit time, with no
 * job before its submission.
 */
async function run(policy: Policy, jobs: JobSpec[], batch = 8): Promise<Run> {
  const plat = platform();
  const facts: JobFact[] = [];
  const dropped: Run["dropped"] = [];
  const intervals: number[][] = [];
  const nodeIntervals: number[][] = [];
  const viewProblems: string[] = [];
  const accountant = new Accountant(plat);
  const checked: Policy = {
    name: policy.name,
    version: policy.version,
    params: policy.params,
    decide(view, happened) {
      for (const p of view.pools) {
        const count = new Array<number>(6).fill(0);
        for (let n = p.firstNode; n < p.firstNode + p.nodes; n++) count[view.nodeState(n)]++;
        const holders = new Map<number, { cores: number; whole: boolean }>();
        for (const r of view.running.filter((x) => x.pool === p.index)) {
          for (const a of r.allocation) {
            const h = holders.get(a.node) ?? { cores: 0, whole: false };
            h.cores += a.cores;
            h.whole ||= r.holdsWholeNodes;
            holders.set(a.node, h);
          }
        }
        const held = holders.size;
        let freeCores = 0;
        for (let n = p.firstNode; n < p.firstNode + p.nodes; n++) {
          const st = view.nodeState(n);
          const h = holders.get(n);
          const expected = (st !== NodeState.Idle && st !== NodeState.Busy) || h?.whole ? 0 : p.coresPerNode - (h?.cores ?? 0);
          if (view.nodeFreeCores(n) !== expected) viewProblems.push(`t=${view.now} node ${n}: ${view.nodeFreeCores(n)} free cores, expected ${expected}`);
          if (h && h.cores > p.coresPerNode) viewProblems.push(`t=${view.now} node ${n}: ${h.cores} cores held of ${p.coresPerNode}`);
          freeCores += expected;
        }
        if (freeCores !== p.freeCores) viewProblems.push(`t=${view.now} pool ${p.index}: ${p.freeCores} free cores, nodes say ${freeCores}`);
        const ok =
          count[NodeState.Idle] === p.freeNodes &&
          count[NodeState.Busy] === held &&
          count[NodeState.Off] + count[NodeState.Sleep] + count[NodeState.SwitchingOff] === p.sleepingNodes &&
          count[NodeState.SwitchingOn] === p.wakingNodes;
        if (!ok) viewProblems.push(`t=${view.now} pool ${p.index}: states ${count.join("/")}, free ${p.freeNodes}, held ${held}, sleeping ${p.sleepingNodes}, waking ${p.wakingNodes}`);
      }
      for (let k = 1; k < view.running.length; k++) {
        const x = view.running[k - 1];
        const y = view.running[k];
        if (!(x.predictedEnd < y.predictedEnd || (x.predictedEnd === y.predictedEnd && x.id < y.id))) viewProblems.push(`t=${view.now}: running not ordered by (predicted end, id) at ${k}`);
      }
      for (let k = 1; k < view.queue.length; k++) {
        if (view.queue[k].submit < view.queue[k - 1].submit) viewProblems.push(`t=${view.now}: queue not in submit order at ${k}`);
      }
      for (const q of view.queue) if (q.submit > view.now) viewProblems.push(`t=${view.now}: job ${q.id} queued before its submit time ${q.submit}`);
      return policy.decide(view, happened);
    },
  };
  const batches: JobSpec[][] = [];
  for (let i = 0; i < jobs.length; i += batch) batches.push(jobs.slice(i, i + batch));
  const result = await simulate({
    platform: plat,
    policy: checked,
    jobs: batches,
    forecasts: plat.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))),
    observer: combineObservers(accountant, {
      jobEnded: (f) => facts.push({ ...f, allocation: f.allocation.map((a) => ({ node: a.node, cores: a.cores, gpus: a.gpus, fpgas: a.fpgas, memMb: a.memMb })) }), // the fact object is reused: copy it
      nodeInterval: (n, st, from, to, joules) => nodeIntervals.push([n, st, from, to, joules]),
      jobDropped: (j, reason) => dropped.push({ id: j.id, reason }),
      siteInterval: (s, from, to, it, ovh, busy) => intervals.push([s, from, to, it, ovh, busy]),
    }),
  });
  return { facts, dropped, intervals, nodeIntervals, accountant, end: result.end, submitted: result.jobsSubmitted, viewProblems };
}

function expectRel(actual: number, expected: number, what: string, tol = 1e-9): void {
  const scale = Math.max(Math.abs(expected), Number.MIN_VALUE);
  if (!(Math.abs(actual - expected) <= tol * scale)) {
    throw new Error(`${what}: expected ${expected} within ${tol} relative, got ${actual} (relative error ${Math.abs(actual - expected) / scale})`);
  }
}

const policies: [string, () => Policy][] = [
  ["EASY", policyEasyBackfill],
  ["FCFS", policyFcfs],
  ["power-off-when-idle (fixture)", policyPowerOffWhenIdle],
];
const NUM_RUNS = 150;

describe.each(policies)("simulate() with %s on random workloads", (_name, makePolicy) => {
  it("never allocates a node more cores than it has, nor shares a node a job holds whole, and its view agrees with itself", async () => {
    await fc.assert(
      fc.asyncProperty(workload, async (jobs) => {
        const r = await run(makePolicy(), jobs);
        expect(r.viewProblems).toEqual([]);
        const plat = platform();
        let firstNode = 0;
        plat.pools.forEach((pool, p) => {
          const facts = r.facts.filter((f) => f.pool === p);
          for (let n = firstNode; n < firstNode + pool.count; n++) {
            // sweep over start/end instants; at equal times ends come first (a job ending at t frees its cores for one starting at t)
            const edges: [number, number, number, number][] = [];
            for (const f of facts) {
              for (const a of f.allocation) if (a.node === n) edges.push([f.start, 1, a.cores, f.exclusive ? 1 : 0], [f.end, 0, -a.cores, f.exclusive ? -1 : 0]);
            }
            edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
            let cores = 0;
            let tenants = 0;
            let whole = 0;
            for (const [t, starts, c, w] of edges) {
              cores += c;
              tenants += starts === 1 ? 1 : -1;
              whole += w;
              if (cores > pool.coresPerNode) throw new Error(`node ${n} holds ${cores} > ${pool.coresPerNode} cores at t=${t}`);
              if (whole > 0 && tenants > 1) throw new Error(`node ${n} is shared at t=${t} while a job holds it whole`);
            }
          }
          for (const f of facts) {
            expect(f.site).toBe(pool.site);
            // A job holding whole nodes gets as many as its cores need; one that shares gets exactly its cores, on distinct nodes.
            if (f.exclusive) expect(f.nodeCount).toBe(Math.ceil(f.job.cores / pool.coresPerNode));
            else expect(f.allocCores).toBe(f.job.cores);
            expect(new Set(f.allocation.map((a) => a.node)).size).toBe(f.nodeCount);
            expect(f.exclusive).toBe(f.job.exclusive === true);
          }
          firstNode += pool.count;
        });
        // Each node's state intervals tile [0, end]; their energy is the sites' meters'.
        const total = plat.pools.reduce((a, p) => a + p.count, 0);
        for (let n = 0; n < total; n++) {
          const iv = r.nodeIntervals.filter((x) => x[0] === n);
          expect(iv[0][2]).toBe(0);
          for (let k = 1; k < iv.length; k++) expect(iv[k][2]).toBe(iv[k - 1][3]);
          expect(iv[iv.length - 1][3]).toBe(r.end);
        }
        const meters = plat.sites.reduce((a, _, s) => a + r.accountant.meter(s).itJ, 0);
        expectRel(r.nodeIntervals.reduce((a, x) => a + x[4], 0), meters, "node intervals' energy");
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("accounts every submitted job exactly once, as ended or dropped", async () => {
    await fc.assert(
      fc.asyncProperty(workload, async (jobs) => {
        const r = await run(makePolicy(), jobs);
        const seen = [...r.facts.map((f) => f.job.id), ...r.dropped.map((d) => d.id)].sort((a, b) => a - b);
        expect(seen).toEqual(jobs.map((j) => j.id));
        expect(r.submitted).toBe(jobs.length);
        // these policies start every job eventually
        expect(r.dropped).toEqual([]);
        for (const f of r.facts) {
          expect(f.start).toBeGreaterThanOrEqual(f.job.submit);
          expect(f.end - f.start).toBe(Math.min(f.job.runtime, f.job.walltime));
          expect(f.killed).toBe(f.job.runtime > f.job.walltime);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("charges jobs plus overhead exactly what each site's meter reads: energy, use-phase CC and node-seconds", async () => {
    await fc.assert(
      fc.asyncProperty(workload, async (jobs) => {
        const r = await run(makePolicy(), jobs);
        const plat = platform();
        const ledger = r.accountant.ledger;
        plat.sites.forEach((site, s) => {
          const jobsAcc = ledger.siteJobs[s];
          const ovh = ledger.siteOverhead[s];
          const meter = r.accountant.meter(s);
          const [jIt, jFac] = jobsAcc.energy.values();
          const [oIt, oFac] = ovh.energy.values();
          expectRel(jIt + oIt, meter.itJ, `site ${site.id} IT energy`);
          expectRel(jFac + oFac, meter.facilityJ, `site ${site.id} facility energy`);
          expectRel(meter.facilityJ, meter.itJ * site.pue, `site ${site.id} facility = IT x PUE`);
          const ju = jobsAcc.use.values();
          const ou = ovh.use.values();
          expectRel(ju[s * N_COORDS + CC] + ou[s * N_COORDS + CC], meter.use[CC], `site ${site.id} use-phase CC`);
          expectRel(ju[s * N_COORDS + ENERGY] + ou[s * N_COORDS + ENERGY], meter.use[ENERGY], `site ${site.id} use-phase energy coordinate`);
          const sum = (v: Float64Array) => v.reduce((a, x) => a + x, 0);
          const nodes = plat.pools.filter((p) => p.site === s).reduce((a, p) => a + p.count, 0);
          expect(meter.nodeSeconds).toBe(nodes * r.end);
          expectRel(sum(jobsAcc.nodeSeconds.values()) + sum(ovh.nodeSeconds.values()), nodes * r.end, `site ${site.id} node-seconds`);
        });
        // the meter intervals tile [0, end] for each site
        plat.sites.forEach((_, s) => {
          const iv = r.intervals.filter((i) => i[0] === s);
          expect(iv[0][1]).toBe(0);
          for (let k = 1; k < iv.length; k++) expect(iv[k][1]).toBe(iv[k - 1][2]);
          expect(iv[iv.length - 1][2]).toBe(r.end);
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("gives identical facts for identical inputs, whatever the batching of the job stream", async () => {
    await fc.assert(
      fc.asyncProperty(workload, fc.integer({ min: 1, max: 41 }), async (jobs, batch) => {
        const a = await run(makePolicy(), jobs);
        const b = await run(makePolicy(), jobs);
        const c = await run(makePolicy(), jobs, batch);
        expect(b.facts).toEqual(a.facts);
        expect(b.dropped).toEqual(a.dropped);
        expect(b.intervals).toEqual(a.intervals);
        expect(c.facts).toEqual(a.facts);
      }),
      { numRuns: NUM_RUNS / 2 },
    );
  });
});
